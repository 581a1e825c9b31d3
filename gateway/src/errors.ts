import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { agencyByName, agencyDisplayName } from "@safeguarding/shared/agencies";

/** Codes a caller can act on: their message is kept. Everything else is replaced by a safe sentence. */
const PASS_THROUGH = new Set([
  "BAD_USER_INPUT",
  "OPERATION_LIMIT_EXCEEDED",
  "GRAPHQL_VALIDATION_FAILED",
  "GRAPHQL_PARSE_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "AGENCY_UNAVAILABLE",
  "FORBIDDEN",
  "UNAUTHENTICATED",
  "NOT_FOUND",
  "OPERATION_NOT_TRUSTED",
  "AUDIT_UNAVAILABLE",
  "RATE_LIMITED",
  "ALERTS_UNAVAILABLE",
]);

/**
 * What leaves the gateway: stable codes, sentences a person can act on, the agency when one failed, and never
 * a subgraph URL, response body or stack trace.
 */
const MISSING_PURPOSE = /^Field "(child|children)" argument "purpose" of type "AccessPurposeInput!" is required/;

export function formatGatewayError(formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError {
  const extensions = formatted.extensions ?? {};
  // Apollo reports every validation failure as GRAPHQL_VALIDATION_FAILED; keep the limit rule's own code.
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  const originalCode = original instanceof GraphQLError ? original.extensions.code : undefined;
  let code = typeof extensions.code === "string" ? extensions.code : "INTERNAL_SERVER_ERROR";
  if (originalCode === "OPERATION_LIMIT_EXCEEDED") code = originalCode;
  const missingPurpose = MISSING_PURPOSE.exec(formatted.message);
  if (missingPurpose) {
    return {
      locations: formatted.locations,
      message: `Say why you are looking: add purpose: { code: MISSING_EPISODE, reference: "INC-2026-004512" } to ${missingPurpose[1]}, with your own purpose code (MISSING_EPISODE, SAFEGUARDING_ENQUIRY, STRATEGY_DISCUSSION, CARE_PLANNING, HEALTH_ASSESSMENT or EMERGENCY) and the incident, case or meeting number as the reference.`,
      extensions: { code: "BAD_USER_INPUT", field: "purpose" },
    };
  }
  const serviceName = typeof extensions.serviceName === "string" ? extensions.serviceName : undefined;
  const agency = serviceName ? agencyByName(serviceName)?.code : undefined;
  const base = { path: formatted.path, locations: formatted.locations };
  const kept = (extra: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries({
        code,
        field: extensions.field,
        agency: agency ?? extensions.agency,
        agencies: extensions.agencies,
        ...extra,
      }).filter(([, v]) => v !== undefined),
    );

  if (PASS_THROUGH.has(code)) return { ...base, message: formatted.message, extensions: kept({}) };
  if (agency) {
    // The agency answered, but with an error of its own (calls that fail outright arrive as AGENCY_UNAVAILABLE).
    return {
      ...base,
      message: `The ${agencyDisplayName(agency)} service could not answer part of this request, so its part of the record may be incomplete. The other agencies' parts are shown. Try again; if it keeps failing, report it with the time.`,
      extensions: { code: "AGENCY_ERROR", agency },
    };
  }
  return {
    ...base,
    message: "The gateway could not complete this request. Try again; if it keeps failing, report it with the time.",
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  };
}

/** Why an agency is missing when it answered but could not record the access in its own audit trail. */
export const AUDIT_WITHHELD = "could not record this access in its audit trail, so it withheld its part";

/** How the gateway's calls name the alerts service, which is composed like an agency but holds no part of a record. */
export const ALERTS_SERVICE = "ALERTS";

export function agencyUnavailable(agency: string, what: string): GraphQLError {
  if (agency === ALERTS_SERVICE) {
    return new GraphQLError(
      `The alerts service ${what}, so alerts could not be shown or acknowledged just now. Try again shortly; an acknowledgement it received is kept. For anything urgent, phone as the action card says.`,
      { extensions: { code: "ALERTS_UNAVAILABLE" } },
    );
  }
  return new GraphQLError(
    `The ${agencyDisplayName(agency)} service ${what}, so its part of the record is missing from this response. The other agencies' parts are shown. Try again shortly.`,
    { extensions: { code: what === AUDIT_WITHHELD ? "AUDIT_UNAVAILABLE" : "AGENCY_UNAVAILABLE", agency } },
  );
}
