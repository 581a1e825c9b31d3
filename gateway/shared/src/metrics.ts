import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics of one process (prom-client), served as text at /metrics. One registry per process, of our
 * own rather than prom-client's global one, so nothing a library registers turns up unasked.
 *
 * Every label has a bounded set of values: services and agencies from the agency table, operation names from a
 * fixed list per service (anything else is "other"), outcomes and HTTP statuses from the code. No label ever holds
 * an NHS number, a user, a token or any text a caller chose.
 */
export const metricsRegistry = new Registry();

/** Seconds, from a millisecond (an agency answering from memory) to the gateway's longest deadline. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const graphqlRequests = new Counter({
  name: "safeguarding_graphql_requests_total",
  help: "GraphQL requests answered, by service, operation name (a known one, or other) and HTTP status.",
  labelNames: ["service", "operation", "status"] as const,
  registers: [metricsRegistry],
});

export const graphqlRequestDuration = new Histogram({
  name: "safeguarding_graphql_request_duration_seconds",
  help: "Time from a GraphQL request arriving to its answer being sent, by service and operation name.",
  labelNames: ["service", "operation"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const auditAppendDuration = new Histogram({
  name: "safeguarding_audit_append_duration_seconds",
  help: "Time for a request's audit entry to be committed (waiting for its group commit included), by service and outcome (ok, error: the answer was withheld).",
  labelNames: ["service", "outcome"] as const,
  buckets: [0.0005, ...LATENCY_BUCKETS],
  registers: [metricsRegistry],
});

export const eventsPublished = new Counter({
  name: "safeguarding_events_published_total",
  help: "Events the outbox relay handed to the broker or the alerts service, by service and outcome (published: confirmed; failed: not confirmed, kept and retried).",
  labelNames: ["service", "outcome"] as const,
  registers: [metricsRegistry],
});

const outboxCounters = new Map<string, () => Promise<number>>();

/**
 * Registers how to count a service's waiting outbox rows, read when /metrics is scraped rather than on every relay
 * pass, so the count costs one indexed query per scrape. Returns a function that stops counting (the store is closing).
 */
export function countOutboxWaiting(service: string, count: () => Promise<number>): () => void {
  outboxCounters.set(service, count);
  return () => {
    if (outboxCounters.get(service) === count) outboxCounters.delete(service);
  };
}

export const outboxWaiting = new Gauge({
  name: "safeguarding_outbox_waiting",
  help: "Events in a service's outbox not yet confirmed by the broker or the alerts service: rising means events are not leaving.",
  labelNames: ["service"] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    await Promise.all(
      [...outboxCounters].map(async ([service, count]) => {
        // A store that cannot answer leaves its service out of this scrape rather than failing the whole page.
        const waiting = await count().catch(() => null);
        if (waiting !== null) this.set({ service }, waiting);
      }),
    );
  },
});

/** The operation-name label: one of the service's known operations, or "other" (anonymous ones included). */
export function operationLabel(name: string | null | undefined, known: ReadonlySet<string>): string {
  return name && known.has(name) ? name : "other";
}

/**
 * The operations the gateway sends every agency (the read path's GatewayRead, the child index's Subjects and Search,
 * the access log's Allocation, the protocol's ProtocolFacts, the protocol watch's ProtocolWatch): an agency's request
 * metrics are labelled with these.
 */
export const GATEWAY_TO_AGENCY_OPERATIONS: ReadonlySet<string> = new Set([
  "GatewayRead",
  "Subjects",
  "Search",
  "Allocation",
  "ProtocolFacts",
  "ProtocolWatch",
]);

let processMetrics = false;

/** Adds Node's process metrics (CPU, memory, event-loop lag, GC, handles) once, when /metrics is served at all. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** The registry as Prometheus text. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

/** Seconds since a performance.now() reading. */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
