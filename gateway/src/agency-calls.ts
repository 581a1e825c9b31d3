import { AsyncLocalStorage } from "node:async_hooks";
import { agencyByCode } from "@safeguarding/shared/agencies";
import { secondsSince } from "@safeguarding/shared/metrics";
import { startClientSpan } from "@safeguarding/shared/tracing";
import { agencyCallDuration, agencyCalls } from "./metrics.js";

/** How a call to an agency ended, as metrics and spans record it. */
export type AgencyCallOutcome = "ok" | "error" | "timeout" | "breaker-open";

/** What the wire said during one agency call: post() writes it, whichever caller (read path or data source) it serves. */
export interface WireNotes {
  /** The agency's HTTP status (the last one, when a persisted query had to be sent again). */
  status?: number;
  /** The call was abandoned at the deadline. */
  timedOut: boolean;
}

const wire = new AsyncLocalStorage<WireNotes>();

/**
 * The notes of the agency call under way, if any. Read when the request is sent, not in its callbacks: a kept-alive
 * socket's events need not run in the context of the call that is using it.
 */
export function currentWireNotes(): WireNotes | undefined {
  return wire.getStore();
}

/** An agency's name ("police") from its code ("POLICE") or name, for labels and span attributes. */
export function agencyName(agency: string): string {
  return agencyByCode(agency)?.name ?? agency;
}

/**
 * Measures one call to an agency (the read path's request, the protocol's and child index's reads, a planner fetch):
 * a count and a latency by outcome, and, while tracing is on, a client span the agency's own request span hangs
 * under (post() sends its `traceparent`). `breakerOpen` is the agency's breaker as the call starts: an open breaker
 * fails the call before anything is sent.
 */
export async function observeAgencyCall<T>(agency: string, breakerOpen: boolean, call: () => Promise<T>): Promise<T> {
  const name = agencyName(agency);
  const notes: WireNotes = { timedOut: false };
  const span = startClientSpan(`call ${name}`, { agency: name });
  const started = performance.now();
  let outcome: AgencyCallOutcome = "ok";
  try {
    const run = () => wire.run(notes, call);
    return await (span ? span.run(run) : run());
  } catch (error) {
    outcome = breakerOpen ? "breaker-open" : notes.timedOut ? "timeout" : "error";
    throw error;
  } finally {
    agencyCalls.inc({ agency: name, outcome });
    agencyCallDuration.observe({ agency: name, outcome }, secondsSince(started));
    span?.end(
      notes.status === undefined ? { outcome } : { outcome, "http.response.status_code": notes.status },
      outcome !== "ok",
    );
  }
}
