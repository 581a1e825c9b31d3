import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { createRootLogger, withRequestLog } from "./log.js";
import { traceInMemory } from "./tracing-testing.js";
import {
  inSpan,
  startClientSpan,
  startServerSpan,
  startTracing,
  stopTracing,
  traceHeaders,
  tracingEnabled,
} from "./tracing.js";

const CALLER = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" };
const TRACEPARENT = `00-${CALLER.traceId}-${CALLER.spanId}-01`;

afterEach(async () => {
  await stopTracing();
});

describe("tracing off", () => {
  it("stays off without an OTLP endpoint, and every helper just runs its work", async () => {
    expect(await startTracing("police", { env: {} })).toBe(false);
    expect(tracingEnabled()).toBe(false);
    expect(startServerSpan("POST /graphql", {}, { traceparent: TRACEPARENT })).toBeNull();
    expect(startClientSpan("call police", {})).toBeNull();
    expect(traceHeaders()).toEqual({});
    expect(await inSpan("audit append", async () => "done")).toBe("done");
  });

  it("stays off when OTEL_SDK_DISABLED is true, even with an endpoint", async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" };
    expect(await startTracing("police", { env })).toBe(false);
  });

  it("refuses settings it cannot honour, naming the variable", async () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" };
    await expect(startTracing("police", { env: { ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" } })).rejects.toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json/,
    );
    await expect(
      startTracing("police", { env: { ...endpoint, OTEL_TRACES_SAMPLER: "jaeger_remote" } }),
    ).rejects.toThrow(/OTEL_TRACES_SAMPLER must be/);
    await expect(
      startTracing("police", {
        env: { ...endpoint, OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" },
      }),
    ).rejects.toThrow(/OTEL_TRACES_SAMPLER_ARG must be a ratio/);
    expect(tracingEnabled()).toBe(false);
  });
});

describe("tracing on", () => {
  it("continues a trusted caller's trace, and hands its own span to the calls made inside it", async () => {
    const traced = await traceInMemory("police");
    const request = startServerSpan("POST /graphql", { "http.request.method": "POST" }, { traceparent: TRACEPARENT })!;
    let sent: Readonly<Record<string, string>> = {};
    await request.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const call = startClientSpan("call health", { agency: "health" })!;
      await call.run(async () => {
        sent = traceHeaders();
      });
      call.end({ outcome: "ok" });
      await inSpan("audit append", async () => {});
    });
    request.end({ "http.response.status_code": 200 });

    const spans = traced.spans();
    const server = spans.find((s) => s.name === "POST /graphql")!;
    const call = spans.find((s) => s.name === "call health")!;
    const audit = spans.find((s) => s.name === "audit append")!;
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(CALLER.traceId);
    expect(server.parentSpanContext?.spanId).toBe(CALLER.spanId);
    expect(server.resource.attributes["service.name"]).toBe("police");
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(call.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(call.attributes).toEqual({ agency: "health", outcome: "ok" });
    expect(sent.traceparent).toBe(`00-${CALLER.traceId}-${call.spanContext().spanId}-01`);
    expect(audit.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  });

  it("starts a new trace for a request whose caller it does not trust", async () => {
    const traced = await traceInMemory("gateway");
    startServerSpan("POST /graphql", {})!.end();
    const [span] = traced.spans();
    expect(span.spanContext().traceId).not.toBe(CALLER.traceId);
    expect(span.parentSpanContext).toBeUndefined();
  });

  it("marks a failed step as an error", async () => {
    const traced = await traceInMemory("gateway");
    await expect(
      inSpan("audit append", async () => {
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(traced.spans()[0].status.code).toBe(SpanStatusCode.ERROR);
  });

  it("puts the trace id on every log line written inside the request", async () => {
    await traceInMemory("police");
    const lines: Record<string, unknown>[] = [];
    const log = createRootLogger({ write: (line: string) => lines.push(JSON.parse(line)) });
    const request = startServerSpan("POST /graphql", {})!;
    await request.run(() =>
      withRequestLog({ requestId: "r-1", traceId: request.traceId }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        log.warn("slow store");
      }),
    );
    expect(lines[0]).toMatchObject({ requestId: "r-1", traceId: request.traceId });
    expect(request.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
