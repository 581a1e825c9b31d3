import { ApolloServer } from "@apollo/server";
import { afterEach, describe, expect, it } from "vitest";
import { createRootLogger } from "@safeguarding/shared/log";
import { metricsRegistry } from "@safeguarding/shared/metrics";
import { traceInMemory } from "@safeguarding/shared/tracing-testing";
import { HttpRefusal, metricsExposureFromEnv, serveHttp, type MetricsExposure, type RunningHttp } from "./http.js";
import { operationNamePlugin } from "./observe.js";

/** A service served by serveHttp as the gateway and every agency are: request metrics, spans, /metrics. */
const SERVICE = "observe-test";
const captured: Record<string, unknown>[] = [];
const log = createRootLogger({ write: (line: string) => captured.push(JSON.parse(line)) });

const running: RunningHttp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((http) => http.close()));
});

async function serve(metrics: MetricsExposure) {
  const apollo = new ApolloServer<{ requestId: string }>({
    typeDefs: "type Query { hello: String }",
    resolvers: {
      Query: {
        hello: () => {
          log.info("answering");
          return "hi";
        },
      },
    },
    plugins: [operationNamePlugin],
  });
  await apollo.start();
  const http = await serveHttp({
    apollo,
    port: 0,
    host: "127.0.0.1",
    observe: { service: SERVICE, operations: new Set(["Known"]), joinCallerTrace: true },
    metrics,
    context: async (request) => {
      if (request.headers.authorization === "none") throw new HttpRefusal(401, "UNAUTHENTICATED", "Sign in.");
      return { requestId: "INC-42.1a2b3c4d" };
    },
    probe: { ready: async () => ({ ok: true, checks: {} }) },
  });
  running.push({ ...http, close: async () => (await http.close(), await apollo.stop()) });
  return http;
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  await response.text();
  return response.status;
}

async function requests(operation: string, status: number): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric("safeguarding_graphql_requests_total")!.get();
  return (
    metric.values.find(
      (v) => v.labels.service === SERVICE && v.labels.operation === operation && v.labels.status === status,
    )?.value ?? 0
  );
}

describe("request metrics", () => {
  it("count each GraphQL request by the operation Apollo resolved and its status; other names are 'other'", async () => {
    const http = await serve({ onPublicPort: true });
    const before = { known: await requests("Known", 200), other: await requests("other", 200) };
    // No operationName in the body: the name comes from the document.
    expect(await post(http.url, JSON.stringify({ query: "query Known { hello }" }))).toBe(200);
    expect(await post(http.url, JSON.stringify({ query: "query Mine { hello }" }))).toBe(200);
    expect(await post(http.url, JSON.stringify({ query: "{ hello }" }))).toBe(200);
    expect(await requests("Known", 200)).toBe(before.known + 1);
    expect(await requests("other", 200)).toBe(before.other + 2);

    const refusedBefore = await requests("other", 401);
    const badBefore = await requests("other", 400);
    expect(await post(http.url, JSON.stringify({ query: "query Known { hello }" }), { authorization: "none" })).toBe(
      401,
    );
    expect(await post(http.url, "{not json")).toBe(400);
    expect(await requests("other", 401)).toBe(refusedBefore + 1);
    expect(await requests("other", 400)).toBe(badBefore + 1);

    const text = await (await fetch(http.metricsUrl!)).text();
    expect(text).toContain(
      `safeguarding_graphql_request_duration_seconds_count{service="${SERVICE}",operation="Known"}`,
    );
    expect(text).not.toContain("Mine");
  });
});

describe("where /metrics is served", () => {
  it("in development: on the public port", async () => {
    const http = await serve(metricsExposureFromEnv(false, {}));
    expect(http.metricsUrl).toBe(http.url.replace(/\/graphql$/, "/metrics"));
    expect((await fetch(http.metricsUrl!)).status).toBe(200);
  });

  it("in production: not on the public port, and only on METRICS_PORT when it is set", async () => {
    const without = await serve(metricsExposureFromEnv(true, {}));
    expect(without.metricsUrl).toBeUndefined();
    expect((await fetch(without.url.replace(/\/graphql$/, "/metrics"))).status).toBe(404);

    const withPort = await serve(metricsExposureFromEnv(true, { METRICS_PORT: "0" }));
    expect((await fetch(withPort.url.replace(/\/graphql$/, "/metrics"))).status).toBe(404);
    const metrics = await fetch(withPort.metricsUrl!);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("process_cpu_user_seconds_total");
    expect(new URL(withPort.metricsUrl!).port).not.toBe(new URL(withPort.url).port);
    expect((await fetch(new URL("/graphql", withPort.metricsUrl))).status).toBe(404);
    expect((await fetch(new URL("/health", withPort.metricsUrl))).status).toBe(404);
  });

  it("refuses a METRICS_PORT that is not a port", () => {
    expect(() => metricsExposureFromEnv(true, { METRICS_PORT: "metrics" })).toThrow(
      /METRICS_PORT must be a port number/,
    );
    expect(() => metricsExposureFromEnv(true, { METRICS_PORT: "70000" })).toThrow(/METRICS_PORT/);
  });
});

describe("request spans", () => {
  it("continue the caller's trace, end with the status and bounded operation name, and tag the request's log lines", async () => {
    const traced = await traceInMemory(SERVICE);
    try {
      const http = await serve({ onPublicPort: false });
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      captured.length = 0;
      const status = await post(http.url, JSON.stringify({ query: "query Mine { hello }" }), {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      });
      expect(status).toBe(200);
      // The span ends when the response has gone, which may be just after the client has read it.
      for (let i = 0; i < 50 && traced.spans().length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
      const [span] = traced.spans().filter((s) => s.name === "POST /graphql");
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
      expect(span.attributes).toMatchObject({ "http.response.status_code": 200, "graphql.operation.name": "other" });
      // Only the gateway's part of the request id: the caller's "INC-42" stays out of the span.
      expect(span.attributes["safeguarding.request_id"]).toBe("1a2b3c4d");
      expect(captured).toEqual([
        expect.objectContaining({ message: "answering", requestId: "INC-42.1a2b3c4d", traceId }),
      ]);
    } finally {
      await traced.stop();
    }
  });
});
