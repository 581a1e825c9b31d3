import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_OPERATIONS } from "@safeguarding/gateway/client-operations";
import { DEMO_CHILD, PURPOSE, startCluster, type AgencyName, type Cluster } from "../support/cluster.js";
import { scrape, startTraceCollector, type CollectedSpan, type Scrape } from "../support/telemetry.js";

/**
 * Watching it (issue 11): every service's /metrics after real reads, and the traces the gateway and the agencies
 * export over OTLP to a collector kept in memory by the test, with the services running as real processes.
 */
const AGENCIES: AgencyName[] = ["police", "social-care", "health"];
const SERVICES = ["gateway", ...AGENCIES] as const;
const GATEWAY_OPERATIONS = ["GatewayRead", "Subjects", "Search", "Allocation", "ProtocolFacts", "ProtocolWatch"];
const CONTROL_ROOM_CHILD = CLIENT_OPERATIONS.find((operation) => operation.name === "ControlRoomChild")!.body;
const READ = `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) {
  givenName police { missingEpisodes { id } } socialCare { legalStatus { code } } health { gpPractice { name } }
} }`;
const DEADLINE_MS = 1500;
/** A trace a caller claims its request belongs to: the gateway must not join it. */
const CALLERS_TRACE = "0af7651916cd43dd8448eb211c80319c";

type Scrapes = Record<(typeof SERVICES)[number], Scrape>;

const newRequestId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

function jsonLines(lines: string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe("watching it, in development: /metrics on every service and traces over OTLP", () => {
  let cluster: Cluster;
  let collector: Awaited<ReturnType<typeof startTraceCollector>>;

  beforeAll(async () => {
    collector = await startTraceCollector();
    cluster = await startCluster({
      countAgencyRequests: true,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "50",
        SUBGRAPH_TIMEOUT_MS: String(DEADLINE_MS),
        RATE_LIMIT_PER_MINUTE: "30",
      },
    });
  });
  afterAll(async () => {
    cluster?.signalAgency("health", "SIGCONT");
    await cluster?.close();
    await collector?.close();
  });

  async function scrapeAll(): Promise<Scrapes> {
    const entries = await Promise.all(SERVICES.map(async (s) => [s, await scrape(cluster.metricsUrls[s]!)] as const));
    return Object.fromEntries(entries) as Scrapes;
  }

  const delta =
    (before: Scrapes, after: Scrapes) =>
    (service: keyof Scrapes, name: string, labels: Record<string, string> = {}) =>
      after[service].value(name, labels) - before[service].value(name, labels);

  it("serves /metrics on each service's own port, with Node's process metrics", async () => {
    expect(cluster.metricsUrls.gateway).toBe(new URL("/metrics", cluster.gatewayUrl).toString());
    for (const agency of AGENCIES)
      expect(cluster.metricsUrls[agency]).toBe(new URL("/metrics", cluster.subgraphUrls[agency]).toString());
    const response = await fetch(cluster.metricsUrls.gateway!);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const scrapes = await scrapeAll();
    for (const service of SERVICES) {
      expect(scrapes[service].value("process_cpu_user_seconds_total"), service).toBeGreaterThan(0);
      expect(scrapes[service].text, service).toContain("nodejs_eventloop_lag_seconds");
    }
    for (const agency of AGENCIES) expect(scrapes.gateway.value("safeguarding_gateway_agency_up", { agency })).toBe(1);
  });

  it("counts a child read on the gateway and on every agency it called, with the operation's name", async () => {
    const before = await scrapeAll();
    const requestId = newRequestId("metrics");
    const result = await cluster.query(
      CONTROL_ROOM_CHILD,
      { id: DEMO_CHILD, purpose: { code: "SAFEGUARDING_ENQUIRY", reference: "TEST-0001" } },
      { as: "social-worker", headers: { "x-request-id": requestId } },
    );
    expect(result.status).toBe(200);
    expect(result.data.child.givenName).toBe("Amber");
    const calls = cluster.agencyRequests(requestId);
    const after = await scrapeAll();
    const moved = delta(before, after);

    // The operation was sent without an operationName: the gateway names it from the document.
    const gatewayRequest = { service: "gateway", operation: "ControlRoomChild" };
    expect(moved("gateway", "safeguarding_graphql_requests_total", { ...gatewayRequest, status: "200" })).toBe(1);
    expect(moved("gateway", "safeguarding_graphql_request_duration_seconds_count", gatewayRequest)).toBe(1);
    expect(
      moved("gateway", "safeguarding_audit_append_duration_seconds_count", { service: "gateway", outcome: "ok" }),
    ).toBe(1);
    for (const agency of AGENCIES) {
      // Each agency call the proxies in front of the agencies saw is counted once, as ok.
      expect(calls[agency], agency).toBeGreaterThan(0);
      expect(moved("gateway", "safeguarding_gateway_agency_calls_total", { agency, outcome: "ok" }), agency).toBe(
        calls[agency],
      );
      expect(
        moved("gateway", "safeguarding_gateway_agency_call_duration_seconds_count", { agency, outcome: "ok" }),
        agency,
      ).toBe(calls[agency]);
      for (const outcome of ["error", "timeout", "breaker-open"])
        expect(moved("gateway", "safeguarding_gateway_agency_calls_total", { agency, outcome }), agency).toBe(0);
      // The agency counted the same requests, under the names of the gateway's operations.
      const answered = GATEWAY_OPERATIONS.reduce(
        (sum, operation) =>
          sum + moved(agency, "safeguarding_graphql_requests_total", { service: agency, operation, status: "200" }),
        0,
      );
      expect(answered, agency).toBe(calls[agency]);
      expect(
        moved(agency, "safeguarding_graphql_requests_total", { service: agency, operation: "other", status: "200" }),
        agency,
      ).toBe(0);
      expect(
        moved(agency, "safeguarding_graphql_requests_total", {
          service: agency,
          operation: "GatewayRead",
          status: "200",
        }),
        agency,
      ).toBe(1);
      expect(
        moved(agency, "safeguarding_audit_append_duration_seconds_count", { service: agency, outcome: "ok" }),
        agency,
      ).toBeGreaterThanOrEqual(1);
    }
  });

  it("counts operations it does not know, and refusals, as other: no label holds what a caller chose", async () => {
    const before = await scrapeAll();
    const glossary = await cluster.query(
      `query WhoIsAmber9990000018 { glossarySearch(query: "s.20") { id } }`,
      undefined,
      {
        authorization: null,
      },
    );
    expect(glossary.status).toBe(200);
    const refused = await cluster.query(`query Peek { child(id: "${DEMO_CHILD}") { id } }`, undefined, {
      authorization: null,
    });
    expect(refused.status).toBe(401);
    const after = await scrapeAll();
    const moved = delta(before, after);
    expect(
      moved("gateway", "safeguarding_graphql_requests_total", {
        service: "gateway",
        operation: "other",
        status: "200",
      }),
    ).toBe(1);
    expect(
      moved("gateway", "safeguarding_graphql_requests_total", {
        service: "gateway",
        operation: "other",
        status: "401",
      }),
    ).toBe(1);
    for (const service of SERVICES) expect(after[service].text).not.toMatch(/WhoIsAmber|Peek|999\s?000\s?0018/);
  });

  it("traces each gateway request as one trace: a span per agency call, the agency's spans under it", async () => {
    await collector.settle();
    collector.clear();
    const requestIds = [newRequestId("trace"), newRequestId("trace")];
    /** The request ids the gateway gave the two reads (the caller's, with its own suffix). */
    const given: string[] = [];
    for (const requestId of requestIds) {
      const response = await fetch(cluster.gatewayUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${await cluster.token("social-worker")}`,
          "x-request-id": requestId,
          // A caller's trace context is not joined: each gateway request starts its own trace.
          traceparent: `00-${CALLERS_TRACE}-b7ad6b7169203331-01`,
        },
        body: JSON.stringify({ query: READ }),
      });
      const result = (await response.json()) as { errors?: unknown };
      expect(result.errors).toBeUndefined();
      given.push(response.headers.get("x-request-id")!);
    }
    const calls = Object.fromEntries(
      AGENCIES.map((agency) => [agency, requestIds.reduce((n, id) => n + cluster.agencyRequests(id)[agency], 0)]),
    ) as Record<AgencyName, number>;
    const totalCalls = AGENCIES.reduce((n, agency) => n + calls[agency], 0);
    const isGatewayRequest = (s: CollectedSpan) => s.service === "gateway" && s.kind === "server";
    const isAgencyCall = (s: CollectedSpan) => s.service === "gateway" && s.kind === "client";
    const isAgencyRequest = (s: CollectedSpan) => s.service !== "gateway" && s.kind === "server";
    const spans = await collector.waitFor(
      (all) =>
        all.filter(isGatewayRequest).length === 2 &&
        all.filter(isAgencyCall).length === totalCalls &&
        all.filter(isAgencyRequest).length === totalCalls &&
        all.filter((s) => s.name === "audit append").length >= 2 + totalCalls,
    );

    const roots = spans.filter(isGatewayRequest);
    expect(new Set(roots.map((root) => root.traceId)).size).toBe(2);
    for (const root of roots) {
      expect(root.parentSpanId).toBeUndefined();
      expect(root.traceId).not.toBe(CALLERS_TRACE);
      expect(root.name).toBe("POST /graphql");
      expect(root.attributes).toMatchObject({ "http.response.status_code": 200, "graphql.operation.name": "other" });
    }
    const traces = new Set(roots.map((root) => root.traceId));
    expect(spans.filter((s) => !traces.has(s.traceId))).toEqual([]);

    // Each trace is tagged with the gateway's own part of its request id, on the gateway and on every agency.
    expect(given.map((id, i) => id.startsWith(`${requestIds[i]}.`))).toEqual([true, true]);
    const suffixes = given.map((id) => id.split(".").at(-1));
    expect(roots.map((root) => root.attributes["safeguarding.request_id"]).sort()).toEqual([...suffixes].sort());
    for (const root of roots) {
      const inTrace = spans.filter((s) => s.traceId === root.traceId);
      for (const span of inTrace.filter((s) => s.kind === "server"))
        expect(span.attributes["safeguarding.request_id"]).toBe(root.attributes["safeguarding.request_id"]);
      const agencyCalls = inTrace.filter(isAgencyCall);
      expect(agencyCalls.length).toBeGreaterThanOrEqual(AGENCIES.length);
      for (const call of agencyCalls) {
        expect(AGENCIES).toContain(call.attributes.agency);
        expect(call.name).toBe(`call ${call.attributes.agency}`);
        expect(call.attributes).toMatchObject({ outcome: "ok", "http.response.status_code": 200 });
        expect(call.parentSpanId).toBe(root.spanId);
        // The agency's request span is the child of the gateway's span for that call, in the same trace.
        const answered = inTrace.filter((s) => isAgencyRequest(s) && s.parentSpanId === call.spanId);
        expect(answered.map((s) => s.service)).toEqual([call.attributes.agency]);
        expect(answered[0].attributes).toMatchObject({
          "http.response.status_code": 200,
          "graphql.operation.name": "GatewayRead",
        });
        const agencyAudit = inTrace.filter((s) => s.name === "audit append" && s.parentSpanId === answered[0].spanId);
        expect(agencyAudit).toHaveLength(1);
      }
      expect(inTrace.filter((s) => s.name === "audit append" && s.parentSpanId === root.spanId)).toHaveLength(1);
    }
    for (const agency of AGENCIES) {
      expect(spans.filter((s) => isAgencyCall(s) && s.attributes.agency === agency)).toHaveLength(calls[agency]);
      expect(spans.filter((s) => isAgencyRequest(s) && s.service === agency)).toHaveLength(calls[agency]);
    }
    // No NHS number, token or assertion in any span.
    const values = spans.flatMap((s) => [s.name, ...Object.values(s.attributes).map(String)]);
    for (const value of values) {
      expect(value).not.toMatch(/\d{3}\s?\d{3}\s?\d{4}/);
      expect(value).not.toMatch(/eyJ|Bearer/);
    }
  });

  it("counts rate-limit refusals by reason and caller", async () => {
    const before = await scrapeAll();
    let refused = 0;
    for (let i = 0; i < 70 && refused < 2; i += 1) {
      const result = await cluster.query(`{ glossarySearch(query: "s.20") { id } }`, undefined, {
        authorization: null,
      });
      if (result.status === 429) refused += 1;
    }
    expect(refused).toBe(2);
    const after = await scrapeAll();
    const moved = delta(before, after);
    expect(
      moved("gateway", "safeguarding_gateway_rate_limit_refusals_total", { reason: "limit", caller: "anonymous" }),
    ).toBe(2);
    expect(
      moved("gateway", "safeguarding_gateway_rate_limit_refusals_total", { reason: "limit", caller: "user" }),
    ).toBe(0);
    expect(
      moved("gateway", "safeguarding_graphql_requests_total", {
        service: "gateway",
        operation: "other",
        status: "429",
      }),
    ).toBe(2);
  });

  it("an agency that stops answering: one timeout, then breaker-open at once, its up gauge at 0, then back at 1", async () => {
    const before = await scrapeAll();
    await collector.settle();
    collector.clear();
    const firstId = newRequestId("frozen");
    cluster.signalAgency("health", "SIGSTOP");
    try {
      const first = await cluster.query(READ, undefined, { as: "social-worker", headers: { "x-request-id": firstId } });
      expect(first.data.child.health).toBeNull();
      const second = await cluster.query(READ, undefined, { as: "social-worker" });
      expect(second.data.child.health).toBeNull();
      // Only the gateway: the frozen agency would not answer a scrape either.
      const during = { ...before, gateway: await scrape(cluster.metricsUrls.gateway!) };
      const moved = delta(before, during);
      expect(
        moved("gateway", "safeguarding_gateway_agency_calls_total", { agency: "health", outcome: "timeout" }),
      ).toBe(1);
      expect(
        moved("gateway", "safeguarding_gateway_agency_calls_total", { agency: "health", outcome: "breaker-open" }),
      ).toBeGreaterThanOrEqual(1);
      expect(moved("gateway", "safeguarding_gateway_agency_breaker_opened_total", { agency: "health" })).toBe(1);
      expect(during.gateway.value("safeguarding_gateway_agency_up", { agency: "health" })).toBe(0);
      expect(during.gateway.value("safeguarding_gateway_agency_up", { agency: "police" })).toBe(1);

      // The log line saying so carries the request id and the trace id of the read that found it out.
      const down = jsonLines(cluster.logs("gateway")).filter((l) => l.event === "agency-down" && l.agency === "health");
      expect(down).toHaveLength(1);
      expect(down[0]).toMatchObject({ level: "warn", requestId: expect.stringMatching(new RegExp(`^${firstId}\\.`)) });
      const spans = await collector.waitFor(
        (all) =>
          all.filter((s) => s.name === "call health").length >= 2 && all.some((s) => s.traceId === down[0].traceId),
      );
      const healthCalls = spans.filter((s) => s.name === "call health");
      const timedOut = healthCalls.find((s) => s.attributes.outcome === "timeout")!;
      expect(timedOut.error).toBe(true);
      expect(timedOut.traceId).toBe(down[0].traceId);
      const root = spans.find((s) => s.traceId === timedOut.traceId && s.service === "gateway" && s.kind === "server");
      expect(timedOut.parentSpanId).toBe(root?.spanId);
      expect(healthCalls.some((s) => s.attributes.outcome === "breaker-open" && s.error)).toBe(true);
    } finally {
      cluster.signalAgency("health", "SIGCONT");
    }
    const started = Date.now();
    while (
      (await scrape(cluster.metricsUrls.gateway!)).value("safeguarding_gateway_agency_up", { agency: "health" }) !== 1
    ) {
      if (Date.now() - started > 10_000) throw new Error("health's up gauge was not back at 1 within 10 s of SIGCONT");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(jsonLines(cluster.logs("gateway")).some((l) => l.event === "agency-up" && l.agency === "health")).toBe(true);
  });
});

describe("watching it, in production: /metrics only on METRICS_PORT", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ env: { NODE_ENV: "production", METRICS_PORT: "0" } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("answers 404 for /metrics on every public port, and serves it on each service's metrics port", async () => {
    const read = await cluster.query(READ, undefined, { as: "social-worker" });
    expect(read.data.child.givenName).toBe("Amber");
    const publicUrls = { gateway: cluster.gatewayUrl, ...cluster.subgraphUrls };
    for (const service of SERVICES) {
      const publicMetrics = await fetch(new URL("/metrics", publicUrls[service]));
      expect(publicMetrics.status, service).toBe(404);
      const metricsUrl = cluster.metricsUrls[service];
      expect(metricsUrl, service).toBeDefined();
      expect(new URL(metricsUrl!).port, service).not.toBe(new URL(publicUrls[service]).port);
      const scraped = await scrape(metricsUrl!);
      expect(scraped.value("process_cpu_user_seconds_total"), service).toBeGreaterThan(0);
      // The metrics listener serves nothing else.
      expect((await fetch(new URL("/graphql", metricsUrl))).status, service).toBe(404);
    }
    const gateway = await scrape(cluster.metricsUrls.gateway!);
    expect(
      gateway.value("safeguarding_graphql_requests_total", { service: "gateway", operation: "other", status: "200" }),
    ).toBeGreaterThanOrEqual(1);
    for (const agency of AGENCIES)
      expect(
        gateway.value("safeguarding_gateway_agency_calls_total", { agency, outcome: "ok" }),
        agency,
      ).toBeGreaterThan(0);
    // Tracing stays off without a collector, and says so when the service starts.
    const ready = jsonLines(cluster.logs("gateway")).find((l) => l.event === "ready");
    expect(ready).toMatchObject({ tracing: false, metricsUrl: cluster.metricsUrls.gateway });
  });
});

describe("watching it with READ_PATH=per-fetch: the planner's own calls to the agencies", () => {
  let cluster: Cluster;
  let collector: Awaited<ReturnType<typeof startTraceCollector>>;
  beforeAll(async () => {
    collector = await startTraceCollector();
    cluster = await startCluster({
      countAgencyRequests: true,
      env: {
        READ_PATH: "per-fetch",
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "50",
      },
    });
  });
  afterAll(async () => {
    await cluster?.close();
    await collector?.close();
  });

  it("counts and traces every call the data sources make, with the agencies' spans under them", async () => {
    const before = await scrape(cluster.metricsUrls.gateway!);
    const requestId = newRequestId("per-fetch");
    const result = await cluster.query(READ, undefined, {
      as: "social-worker",
      headers: { "x-request-id": requestId },
    });
    expect(result.errors).toBeUndefined();
    const calls = cluster.agencyRequests(requestId);
    const total = AGENCIES.reduce((n, agency) => n + calls[agency], 0);
    const spans = await collector.waitFor(
      (all) =>
        all.filter((s) => s.service !== "gateway" && s.kind === "server").length === total &&
        all.filter((s) => s.service === "gateway" && s.kind === "client").length === total,
    );
    const after = await scrape(cluster.metricsUrls.gateway!);
    for (const agency of AGENCIES) {
      // A look-up and a section fetch each: more than the one-trip path's single request.
      expect(calls[agency], agency).toBeGreaterThanOrEqual(2);
      const labels = { agency, outcome: "ok" };
      expect(
        after.value("safeguarding_gateway_agency_calls_total", labels) -
          before.value("safeguarding_gateway_agency_calls_total", labels),
        agency,
      ).toBe(calls[agency]);
      const agencyCalls = spans.filter((s) => s.name === `call ${agency}`);
      expect(agencyCalls).toHaveLength(calls[agency]);
      for (const call of agencyCalls) {
        const answered = spans.filter((s) => s.kind === "server" && s.parentSpanId === call.spanId);
        expect(answered.map((s) => [s.service, s.traceId])).toEqual([[agency, call.traceId]]);
      }
    }
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  });
});
