import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceInMemory } from "@safeguarding/shared/tracing-testing";
import type { AgencyEndpoint } from "./config.js";
import { AgencyUnavailableError, postGraphqlResponse } from "./fetcher.js";
import { agencyBreakerOpened, agencyCalls, agencyUp, watchAgencyBreakers } from "./metrics.js";

/**
 * Every call to an agency is counted, timed and traced by outcome, whichever way it ends. Each case has its own
 * agency server (its own URL, so its own breaker), and the gateway's own fetcher calls it.
 */
type Answer = "ok" | "error" | "silent";

const servers: Server[] = [];
const received: IncomingHttpHeaders[] = [];
let traced: Awaited<ReturnType<typeof traceInMemory>>;

beforeAll(async () => {
  traced = await traceInMemory("gateway");
});
afterAll(async () => {
  await traced.stop();
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function agency(answer: Answer): Promise<string> {
  const server = createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    if (answer === "silent") return;
    const status = answer === "ok" ? 200 : 500;
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ data: { ok: true } }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const call = (url: string, timeoutMs = 2000) =>
  postGraphqlResponse(url, "HEALTH", "query Ping { ok }", {}, timeoutMs, { "x-request-id": "r-1" });

async function count(outcome: string): Promise<number> {
  const metric = await agencyCalls.get();
  return metric.values.find((v) => v.labels.agency === "health" && v.labels.outcome === outcome)?.value ?? 0;
}

const lastCallSpan = () =>
  traced
    .spans()
    .filter((s) => s.name === "call health")
    .at(-1)!;

describe("agency calls", () => {
  it("ok: counted, and the agency is sent a traceparent naming the call's span", async () => {
    const before = await count("ok");
    received.length = 0;
    await call(await agency("ok"));
    expect(await count("ok")).toBe(before + 1);
    const span = lastCallSpan();
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({ agency: "health", outcome: "ok", "http.response.status_code": 200 });
    expect(received[0].traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it("error: an agency that answers with an HTTP error", async () => {
    const before = await count("error");
    await expect(call(await agency("error"))).rejects.toBeInstanceOf(AgencyUnavailableError);
    expect(await count("error")).toBe(before + 1);
    const span = lastCallSpan();
    expect(span.attributes).toMatchObject({ outcome: "error", "http.response.status_code": 500 });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("timeout, then breaker-open: the missed deadline opens the breaker, the up gauge drops, the next call is not made", async () => {
    const url = await agency("silent");
    const unwatch = watchAgencyBreakers([{ name: "health", agency: "HEALTH", url } as AgencyEndpoint]);
    try {
      const before = { timeout: await count("timeout"), open: await count("breaker-open") };
      const opened = (await agencyBreakerOpened.get()).values.find((v) => v.labels.agency === "health")?.value ?? 0;
      expect((await agencyUp.get()).values.find((v) => v.labels.agency === "health")?.value).toBe(1);

      await expect(call(url, 100)).rejects.toThrow(/did not answer within 0.1 s/);
      expect(await count("timeout")).toBe(before.timeout + 1);
      expect(lastCallSpan().attributes).toEqual({ agency: "health", outcome: "timeout" });
      expect((await agencyUp.get()).values.find((v) => v.labels.agency === "health")?.value).toBe(0);
      expect((await agencyBreakerOpened.get()).values.find((v) => v.labels.agency === "health")?.value).toBe(
        opened + 1,
      );

      const sent = received.length;
      await expect(call(url, 100)).rejects.toThrow(/has not been answering/);
      expect(received).toHaveLength(sent);
      expect(await count("breaker-open")).toBe(before.open + 1);
      expect(lastCallSpan().attributes).toEqual({ agency: "health", outcome: "breaker-open" });
    } finally {
      unwatch();
    }
  });
});
