import { z } from "zod";
import { askGateway, type GatewayError, type GraphqlAnswer } from "./gateway-request.ts";

import { PortalAcknowledgeAlertDocument, PortalMyAlertsDocument } from "./generated/graphql.ts";

/**
 * The portal's client for cross-agency alerts (issue 12): `myAlerts` and `acknowledgeAlert` over the gateway as the
 * signed-in officer, and what each answer means for the page. The operations are generated from alerts.graphql
 * against the gateway's API schema, so a renamed field fails the portal's build; operations.ts registers them with
 * the trusted documents.
 */

export const MY_ALERTS_QUERY: string = PortalMyAlertsDocument.toString().trim();
export const ACKNOWLEDGE_ALERT_MUTATION: string = PortalAcknowledgeAlertDocument.toString().trim();

/** The longest note the alerts service keeps with an acknowledgement. */
export const NOTE_MAX_LENGTH = 500;

/** The most alerts one page shows (the contract's default). */
export const ALERTS_PAGE_SIZE = 50;

// The gateway's answer is checked at the edge: an alert in another shape is a fault of the service, not something
// to render half of. An unknown kind is kept (a newer service may add one) and named as it comes.
const instant = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be a date and time");

const alertSchema = z.object({
  id: z.string().min(1),
  kind: z.string().min(1),
  childId: z.string(),
  raisedAt: instant,
  summary: z.string(),
  reason: z.string(),
  sourceAgency: z.string(),
  acknowledgedAt: instant.nullable(),
  acknowledgedBy: z.string().nullable(),
  escalatedTo: z.array(z.string()),
});

export type Alert = z.infer<typeof alertSchema>;

const alertListSchema = z.array(alertSchema);

const acknowledgedSchema = z.object({
  id: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});

/** Answers both operations can give besides their own. */
type Failure =
  /** The gateway did not answer, or not in GraphQL; `reason` completes "The gateway …". */
  | { kind: "no-answer"; reason: string }
  /** The gateway refused the officer's access token (UNAUTHENTICATED). */
  | { kind: "sign-in-refused" }
  /** Refused for this officer (FORBIDDEN): not their alert, or no verified email to match alerts by. */
  | { kind: "forbidden"; message: string }
  /** Anything else: the alerts service not answering (AGENCY_UNAVAILABLE and the like), or an answer out of shape. */
  | { kind: "unavailable"; messages: string[] };

export type AlertsAnswer = { kind: "alerts"; alerts: Alert[] } | Failure;

export type AcknowledgeAnswer =
  | { kind: "acknowledged"; alert: z.infer<typeof acknowledgedSchema> }
  /** BAD_USER_INPUT: no such alert, already acknowledged, note too long; the sentence says which. */
  | { kind: "refused"; message: string }
  | Failure;

export interface AlertsClientOptions {
  /** The gateway's GraphQL endpoint. */
  gatewayUrl: string;
  /** How long to wait for the gateway. */
  timeoutMs?: number;
}

const OUT_OF_SHAPE = "The alerts service answered in a form the portal does not understand.";

function failure(errors: GatewayError[]): Failure {
  if (errors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) return { kind: "sign-in-refused" };
  const forbidden = errors.find((e) => e.extensions?.code === "FORBIDDEN");
  if (forbidden) return { kind: "forbidden", message: forbidden.message };
  return { kind: "unavailable", messages: errors.length ? errors.map((e) => e.message) : [OUT_OF_SHAPE] };
}

export function createAlertsClient(options: AlertsClientOptions) {
  const timeoutMs = options.timeoutMs ?? 8000;
  const ask = <Data>(accessToken: string, query: string, variables: Record<string, unknown>, signal?: AbortSignal) =>
    askGateway<Data>({ gatewayUrl: options.gatewayUrl, accessToken, query, variables, timeoutMs, signal });

  return {
    /** The officer's alerts, newest first as the service orders them; all of them, or only those not acknowledged. */
    async myAlerts(
      accessToken: string,
      query: { unacknowledgedOnly: boolean; first?: number },
      signal?: AbortSignal,
    ): Promise<AlertsAnswer> {
      const reply = await ask<{ myAlerts?: unknown }>(
        accessToken,
        MY_ALERTS_QUERY,
        { unacknowledgedOnly: query.unacknowledgedOnly, first: query.first ?? ALERTS_PAGE_SIZE },
        signal,
      );
      if (!reply.ok) return { kind: "no-answer", reason: reply.reason };
      const list = alertListSchema.safeParse(reply.answer.data?.myAlerts);
      // A list comes with no errors: myAlerts is non-null, so any error leaves no data.
      if (list.success && !reply.answer.errors?.length) return { kind: "alerts", alerts: list.data };
      return failure(reply.answer.errors ?? []);
    },

    /** Acknowledges one of the officer's alerts, with an optional note (already checked for length). */
    async acknowledge(accessToken: string, id: string, note: string | null): Promise<AcknowledgeAnswer> {
      const reply = await ask<{ acknowledgeAlert?: unknown }>(accessToken, ACKNOWLEDGE_ALERT_MUTATION, { id, note });
      if (!reply.ok) return { kind: "no-answer", reason: reply.reason };
      return readAcknowledgement(reply.answer);
    },
  };
}

function readAcknowledgement(answer: GraphqlAnswer<{ acknowledgeAlert?: unknown }>): AcknowledgeAnswer {
  const errors = answer.errors ?? [];
  const alert = acknowledgedSchema.safeParse(answer.data?.acknowledgeAlert);
  if (alert.success && errors.length === 0) return { kind: "acknowledged", alert: alert.data };
  const badInput = errors.find((e) => e.extensions?.code === "BAD_USER_INPUT");
  if (badInput && !errors.some((e) => e.extensions?.code === "UNAUTHENTICATED"))
    return { kind: "refused", message: badInput.message };
  return failure(errors);
}

export type AlertsClient = ReturnType<typeof createAlertsClient>;
