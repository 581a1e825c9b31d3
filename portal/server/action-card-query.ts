import {
  PortalActionCardDocument,
  type PortalActionCardQuery,
  type PortalActionCardQueryVariables,
} from "./generated/graphql.ts";

/**
 * The action card's query text, generated from action-card.graphql against the gateway's API schema. The portal posts
 * exactly this text, and `npm run trusted-documents` registers it through this package's `./action-card-query`
 * export, so the two can never differ.
 */
export const ACTION_CARD_QUERY: string = PortalActionCardDocument.toString().trim();

export type ActionCardData = PortalActionCardQuery;
export type ActionCardVariables = PortalActionCardQueryVariables;

/** The card as the gateway answers it. */
export type ActionCard = NonNullable<NonNullable<PortalActionCardQuery["child"]>["actionCard"]>;

/** One of the child's alerts nobody has acknowledged, as the gateway answers it beside the card. */
export type ChildAlert = NonNullable<NonNullable<PortalActionCardQuery["child"]>["alerts"]>[number];
