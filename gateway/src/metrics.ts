import { Counter, Gauge, Histogram } from "prom-client";
import { serviceLog } from "@safeguarding/shared/log";
import { LATENCY_BUCKETS, metricsRegistry } from "@safeguarding/shared/metrics";
import { CLIENT_OPERATIONS } from "./client-operations.js";
import { onAgencyBreakerChange } from "./breakers.js";
import { probeUrl, type AgencyEndpoint } from "./config.js";

/**
 * The gateway's own metrics, beside the request and audit metrics every service has (@safeguarding/shared/metrics),
 * in the same registry. Agencies are labelled by name ("police", "social-care", "health"), as their own metrics
 * label their service.
 */

/** The operations the gateway's request metrics name: the shipped clients' (with trusted documents, the only ones). */
export const KNOWN_OPERATIONS: ReadonlySet<string> = new Set([
  ...CLIENT_OPERATIONS.map((operation) => operation.name),
  // The portal's printable action card and alerts page (portal/server/*.graphql).
  "PortalActionCard",
  "PortalMyAlerts",
  "PortalAcknowledgeAlert",
]);

export const agencyCalls = new Counter({
  name: "safeguarding_gateway_agency_calls_total",
  help: "Calls from the gateway to an agency, by agency and outcome: ok, error (refused connection, HTTP error, no data, audit withheld), timeout (no answer by the deadline), breaker-open (not made: the agency's breaker is open).",
  labelNames: ["agency", "outcome"] as const,
  registers: [metricsRegistry],
});

export const agencyCallDuration = new Histogram({
  name: "safeguarding_gateway_agency_call_duration_seconds",
  help: "Time of each call from the gateway to an agency, by agency and outcome.",
  labelNames: ["agency", "outcome"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const agencyUp = new Gauge({
  name: "safeguarding_gateway_agency_up",
  help: "1 while the gateway calls the agency; 0 while the agency's circuit breaker is open (it missed a deadline or refused a connection, and has not answered a health probe since).",
  labelNames: ["agency"] as const,
  registers: [metricsRegistry],
});

export const agencyBreakerOpened = new Counter({
  name: "safeguarding_gateway_agency_breaker_opened_total",
  help: "Times an agency's circuit breaker opened: outages between two scrapes show here when the up gauge is back to 1.",
  labelNames: ["agency"] as const,
  registers: [metricsRegistry],
});

export const protocolWatchPassDuration = new Histogram({
  name: "safeguarding_protocol_watch_pass_seconds",
  help: "Time of each protocol-watch pass (asking the agencies, reading and evaluating every watched child, raising what is overdue), by outcome: ok, partial (an agency did not answer: the rules reading its facts were not evaluated), failed.",
  labelNames: ["outcome"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [metricsRegistry],
});

export const protocolWatchChildren = new Gauge({
  name: "safeguarding_protocol_watch_children",
  help: "Children whose protocol the last completed pass evaluated.",
  registers: [metricsRegistry],
});

export const protocolWatchRaised = new Counter({
  name: "safeguarding_protocol_watch_raised_total",
  help: "PROTOCOL_OVERDUE events the protocol watch recorded, by rule (each flag once per status).",
  labelNames: ["rule"] as const,
  registers: [metricsRegistry],
});

export const rateLimitRefusals = new Counter({
  name: "safeguarding_gateway_rate_limit_refusals_total",
  help: "Requests refused by the rate limiter, by reason (limit: 429, over the per-minute budget; unavailable: 503, the shared limiter did not answer) and caller (user, or anonymous: no valid token, counted by address).",
  labelNames: ["reason", "caller"] as const,
  registers: [metricsRegistry],
});

/**
 * Keeps the agencies' up gauge and breaker counter in step with their breakers, and says in the log when an agency
 * stops and starts answering. Returns a function that stops listening.
 */
export function watchAgencyBreakers(agencies: readonly AgencyEndpoint[]): () => void {
  const log = serviceLog("gateway");
  const byHealthUrl = new Map(agencies.map((a) => [probeUrl(a.url, "health"), a]));
  // Every breaker starts closed: the gateway calls each agency until one fails to answer.
  for (const agency of agencies) agencyUp.set({ agency: agency.name }, 1);
  return onAgencyBreakerChange((healthUrl, open) => {
    const agency = byHealthUrl.get(healthUrl);
    if (!agency) return;
    agencyUp.set({ agency: agency.name }, open ? 0 : 1);
    if (open) {
      agencyBreakerOpened.inc({ agency: agency.name });
      log.warn({ event: "agency-down", agency: agency.name }, "agency not answering: calls fail at once until it does");
    } else {
      log.info({ event: "agency-up", agency: agency.name }, "agency answering again");
    }
  });
}
