import type { GraphQLRequestContextWillSendResponse } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import type { AuditEntryInput, AuditOutcome, AuditWriter } from "@safeguarding/shared/audit";
import { serviceLog } from "@safeguarding/shared/log";
import { auditAppendDuration, secondsSince } from "@safeguarding/shared/metrics";
import { inSpan } from "@safeguarding/shared/tracing";
import { AUDIT_UNAVAILABLE_MESSAGE } from "@safeguarding/shared/request-audit";

/**
 * How a request ended, as an audit entry records it, from the errors it answered with: OK; PARTIAL when only some
 * fields were refused and something came back; DENIED when the policy refused everything asked; REFUSED when the
 * input was bad; ERROR for anything else.
 */
export function auditOutcome(errors: readonly GraphQLFormattedError[], returnedSomething: boolean): AuditOutcome {
  if (errors.length === 0) return "OK";
  if (errors.every((e) => e.extensions?.code === "FORBIDDEN")) return returnedSomething ? "PARTIAL" : "DENIED";
  if (errors.some((e) => e.extensions?.code === "BAD_USER_INPUT")) return "REFUSED";
  return "ERROR";
}

/**
 * Appends the request's audit entry before the answer leaves. If it cannot be written, the data is withheld: the
 * answer becomes one AUDIT_UNAVAILABLE error (with `status` as its HTTP status when given), and the failure is
 * logged. The gateway and every agency's subgraph record their requests through this one routine.
 */
export async function recordOrWithhold(
  audit: AuditWriter,
  entry: AuditEntryInput,
  response: GraphQLRequestContextWillSendResponse<never>["response"],
  status?: number,
): Promise<void> {
  const started = performance.now();
  try {
    await inSpan("audit append", () => audit.append(entry));
    auditAppendDuration.observe({ service: entry.service, outcome: "ok" }, secondsSince(started));
  } catch (error) {
    auditAppendDuration.observe({ service: entry.service, outcome: "error" }, secondsSince(started));
    serviceLog(entry.service).error({ error: String(error) }, "audit entry not written");
    if (status) response.http.status = status;
    if (response.body.kind === "single")
      response.body.singleResult = {
        data: null,
        errors: [{ message: AUDIT_UNAVAILABLE_MESSAGE, extensions: { code: "AUDIT_UNAVAILABLE" } }],
      };
  }
}
