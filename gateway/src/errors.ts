import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { AGENCY_NAMES, type AgencyCode } from "./config.js";

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
]);

export const AUDIT_UNAVAILABLE_MESSAGE =
  "The record cannot be shown because this access could not be recorded in the audit trail. Try again; if it keeps failing, report it with the time.";

const AGENCY_OF_SUBGRAPH: Record<string, AgencyCode> = {
  police: "POLICE",
  "social-care": "SOCIAL_CARE",
  health: "HEALTH",
};

/**
 * What leaves the gateway: stable codes, sentences a person can act on, the agency when one failed, and never
 * a subgraph URL, response body or stack trace.
 */
export function formatGatewayError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions ?? {};
  const code = typeof extensions.code === "string" ? extensions.code : "INTERNAL_SERVER_ERROR";
  const serviceName = typeof extensions.serviceName === "string" ? extensions.serviceName : undefined;
  const agency = serviceName ? AGENCY_OF_SUBGRAPH[serviceName] : undefined;
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
      message: `The ${AGENCY_NAMES[agency]} service could not answer part of this request, so its part of the record may be incomplete. The other agencies' parts are shown. Try again; if it keeps failing, report it with the time.`,
      extensions: { code: "AGENCY_ERROR", agency },
    };
  }
  return {
    ...base,
    message: "The gateway could not complete this request. Try again; if it keeps failing, report it with the time.",
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  };
}

export function agencyUnavailable(agency: string, what: string): GraphQLError {
  return new GraphQLError(
    `The ${AGENCY_NAMES[agency as AgencyCode] ?? agency} service ${what}, so its part of the record is missing from this response. The other agencies' parts are shown. Try again shortly.`,
    { extensions: { code: "AGENCY_UNAVAILABLE", agency } },
  );
}
