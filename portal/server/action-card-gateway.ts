import { askGateway, type GatewayError, type GraphqlAnswer } from "./gateway-request.ts";
import type { CardField, CardPurpose, FieldError } from "./card-form.ts";
import {
  ACTION_CARD_QUERY,
  type ActionCard,
  type ActionCardData,
  type ActionCardVariables,
  type ChildAlert,
} from "./action-card-query.ts";

/**
 * The portal's client for the action card: one POST to the gateway as the signed-in officer, with the officer's
 * purpose, and what the answer means for the page to show.
 */

/**
 * The child's alerts nobody has acknowledged, asked for beside the card: listed (perhaps none), not shown to the
 * officer's role, or not checked because the alerts service did not answer.
 */
export type CardAlerts = { kind: "listed"; alerts: ChildAlert[] } | { kind: "withheld" } | { kind: "unchecked" };

/** What the gateway's answer means for the officer, in the order the card page checks it. */
export type CardAnswer =
  /**
   * The card, with what part of it is missing (warnings), what the officer's role may not see (withheld) and the
   * child's unacknowledged alerts.
   */
  | {
      kind: "card";
      card: ActionCard;
      warnings: string[];
      withheld: { field: string; message: string }[];
      alerts: CardAlerts;
    }
  /** The gateway did not answer, or not in GraphQL; `reason` completes "The gateway …". */
  | { kind: "no-answer"; reason: string }
  /** The gateway refused the officer's access token. */
  | { kind: "sign-in-refused" }
  /** The purpose was refused: the errors name the form's fields. */
  | { kind: "purpose-refused"; errors: FieldError[] }
  /** The NHS number was refused. */
  | { kind: "child-refused"; message: string }
  /** The officer's role may see none of it. */
  | { kind: "role-refused"; messages: string[] }
  /** No card, and errors other than refusals (an agency or the audit trail not answering). */
  | { kind: "unavailable"; messages: string[] }
  /** No agency holds a record of the child. */
  | { kind: "not-found" };

export interface ActionCardClientOptions {
  /** The gateway's GraphQL endpoint. */
  gatewayUrl: string;
  /** How long to wait for the gateway. */
  timeoutMs?: number;
}

export function createActionCardClient(options: ActionCardClientOptions) {
  const timeoutMs = options.timeoutMs ?? 8000;

  return {
    /** Asks for one child's card with the officer's access token. */
    async cardFor(accessToken: string, id: string, purpose: CardPurpose): Promise<CardAnswer> {
      const variables: ActionCardVariables = { id, purpose };
      const reply = await askGateway<ActionCardData>({
        gatewayUrl: options.gatewayUrl,
        accessToken,
        query: ACTION_CARD_QUERY,
        variables,
        timeoutMs,
      });
      return reply.ok ? readAnswer(reply.answer) : { kind: "no-answer", reason: reply.reason };
    },
  };
}

/** An error about the alerts beside the card, not the card: the alerts section says it, not the warning banner. */
const aboutAlerts = (error: GatewayError) =>
  error.extensions?.code === "ALERTS_UNAVAILABLE" ||
  (error.extensions?.code !== "FORBIDDEN" && error.path?.[0] === "child" && error.path[1] === "alerts");

function alertsOf(answer: GraphqlAnswer<ActionCardData>): CardAlerts {
  const alerts = answer.data?.child?.alerts;
  if (alerts) return { kind: "listed", alerts };
  const refused = (answer.errors ?? []).some(
    (e) => e.extensions?.code === "FORBIDDEN" && e.extensions.field === "Child.alerts",
  );
  return refused ? { kind: "withheld" } : { kind: "unchecked" };
}

function readAnswer(answer: GraphqlAnswer<ActionCardData>): CardAnswer {
  const card = answer.data?.child?.actionCard ?? null;
  const errors = answer.errors ?? [];
  const forbidden = errors.filter((e) => e.extensions?.code === "FORBIDDEN");
  const others = errors.filter((e) => e.extensions?.code !== "FORBIDDEN");
  if (card)
    return {
      kind: "card",
      card,
      warnings: others.filter((e) => !aboutAlerts(e)).map((e) => e.message),
      withheld: forbidden.map((e) => ({ field: e.extensions?.field ?? "", message: e.message })),
      alerts: alertsOf(answer),
    };
  if (errors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) return { kind: "sign-in-refused" };
  const badInput = errors.filter((e) => e.extensions?.code === "BAD_USER_INPUT");
  const purposeErrors = badInput.map(purposeError).filter((e): e is FieldError => e !== null);
  if (purposeErrors.length > 0) return { kind: "purpose-refused", errors: purposeErrors };
  if (badInput.length > 0) return { kind: "child-refused", message: badInput[0].message };
  if (forbidden.length > 0 && others.length === 0)
    return { kind: "role-refused", messages: forbidden.map((e) => e.message) };
  if (errors.length > 0) return { kind: "unavailable", messages: errors.map((e) => e.message) };
  return { kind: "not-found" };
}

/** "purpose.reference is empty: …" reads "The reference is empty: …" on the form. */
const FIELD_NAMES: Record<string, { field: CardField; name: string }> = {
  "purpose.code": { field: "purpose", name: "The reason" },
  "purpose.reference": { field: "reference", name: "The reference" },
  "purpose.agreement": { field: "agreement", name: "The data-sharing agreement" },
};

function purposeError(error: GatewayError): FieldError | null {
  const path = error.extensions?.field ?? "";
  const known = FIELD_NAMES[path];
  if (known) {
    const message = error.message.startsWith(path) ? `${known.name}${error.message.slice(path.length)}` : error.message;
    return { field: known.field, message };
  }
  return path.startsWith("purpose") ? { field: "purpose", message: error.message } : null;
}
