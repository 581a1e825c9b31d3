import type { IncomingHttpHeaders } from "node:http";
import {
  context,
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { serviceLog } from "./log.js";

/**
 * OpenTelemetry traces, on only when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set.
 * Off, nothing of the SDK is even loaded: every helper below checks one variable and runs its work as it is, so a
 * service without a collector pays nothing per request (measured with `npm run bench`).
 *
 * Spans are made by hand around our own calls (a request, an agency call, an audit append) rather than by the
 * http and graphql auto-instrumentations, which need module hooks at start-up and make a span per socket event or
 * per resolved field. Our tracer is not registered as the global one, so libraries that trace themselves through
 * the global API (@apollo/gateway's plan and fetch spans) stay silent and add no cost; and they could carry the
 * client's operation name or, with options we do not set, the document, which can hold NHS numbers.
 *
 * What never goes into a span: tokens, assertions, request bodies, variables, NHS numbers or any other personal
 * data, and no text a caller chose (operation names are bounded to the known set, as metrics labels are).
 */
let tracer: Tracer | null = null;
let propagator: TextMapPropagator | null = null;
let provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> } | null = null;

export interface TracingOptions {
  env?: NodeJS.ProcessEnv;
  /** Finished spans go here, one at a time, instead of to an OTLP collector (tests). */
  exporter?: SpanExporter;
}

/** Whether this process traces its requests. */
export function tracingEnabled(): boolean {
  return tracer !== null;
}

/**
 * Starts tracing for one service when the environment names a collector (or an exporter is given). Returns whether
 * tracing is on. Call once per process, before the service takes requests.
 */
export async function startTracing(service: string, options: TracingOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (tracer || env.OTEL_SDK_DISABLED === "true" || (!endpoint && !options.exporter)) return tracer !== null;
  const sampler = await samplerFromEnv(env);
  const [sdk, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, resources] = await Promise.all([
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/core"),
    import("@opentelemetry/resources"),
  ]);
  // Settings are checked before anything is registered: a bad one stops start-up with nothing half done.
  const exporter = options.exporter ?? (await otlpExporter(env));
  const scheduledDelayMillis = positiveNumber(env, "OTEL_BSP_SCHEDULE_DELAY") ?? 5000;
  const log = serviceLog(service);
  // The SDK's own complaints (a collector that refuses or does not answer, spans dropped because it cannot keep up)
  // go to the service's log, at most one line a minute: under load they come once per batch.
  let lastLine = 0;
  let suppressed = 0;
  const complain =
    (level: "error" | "warn") =>
    (message: string, ...args: unknown[]) => {
      const now = Date.now();
      if (now - lastLine < 60_000) {
        suppressed += 1;
        return;
      }
      log[level]({ event: "tracing", detail: diagDetail(args), suppressed }, message);
      lastLine = now;
      suppressed = 0;
    };
  diag.setLogger(
    { error: complain("error"), warn: complain("warn"), info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const processor = options.exporter
    ? new sdk.SimpleSpanProcessor({ exporter })
    : new sdk.BatchSpanProcessor({ exporter, scheduledDelayMillis });
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over the service's own name.
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ "service.name": service, "service.namespace": "safeguarding" }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const tracerProvider = new sdk.TracerProvider({ resource, sampler, spanProcessors: [processor] });
  // Context must follow a request across awaits for a span started deep inside it to find its parent.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagator = new W3CTraceContextPropagator();
  provider = tracerProvider;
  tracer = tracerProvider.getTracer("@safeguarding/tracing");
  return true;
}

/** Sends every finished span still waiting (before a test reads them, or the process stops). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** Flushes and stops tracing; helpers do nothing afterwards. */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  tracer = null;
  propagator = null;
  provider = null;
  await stopping?.shutdown();
  context.disable();
  diag.disable();
}

/** What the SDK adds to a complaint (an export error, a refusing collector's status), short. */
function diagDetail(args: unknown[]): string {
  return args
    .map((arg) => (arg instanceof Error ? arg.message : typeof arg === "string" ? arg : JSON.stringify(arg)))
    .join(" ")
    .slice(0, 300);
}

async function otlpExporter(env: NodeJS.ProcessEnv): Promise<SpanExporter> {
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || "http/protobuf";
  // Endpoint, headers, timeout and compression are read from the same OTEL_EXPORTER_OTLP_* variables by the exporter.
  if (protocol === "http/protobuf")
    return new (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter();
  if (protocol === "http/json")
    return new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter();
  throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json; got "${protocol.slice(0, 40)}".`);
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number; got "${raw}".`);
  return value;
}

/** OTEL_TRACES_SAMPLER (and its ratio in OTEL_TRACES_SAMPLER_ARG): every request is traced unless it says less. */
async function samplerFromEnv(env: NodeJS.ProcessEnv) {
  const sdk = await import("@opentelemetry/sdk-trace");
  const name = env.OTEL_TRACES_SAMPLER || "parentbased_always_on";
  const ratio = () => {
    const value = Number(env.OTEL_TRACES_SAMPLER_ARG ?? "1");
    if (!(value >= 0 && value <= 1))
      throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1; got "${env.OTEL_TRACES_SAMPLER_ARG}".`);
    return new sdk.TraceIdRatioBasedSampler(value);
  };
  switch (name) {
    case "always_on":
      return new sdk.AlwaysOnSampler();
    case "parentbased_always_on":
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
    case "traceidratio":
      return ratio();
    case "parentbased_traceidratio":
      return new sdk.ParentBasedSampler({ root: ratio() });
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER must be always_on, parentbased_always_on, traceidratio or parentbased_traceidratio; got "${name.slice(0, 40)}".`,
      );
  }
}

/** A span of ours in progress: run work inside it (so spans started there are its children), then end it once. */
export class OpenSpan {
  constructor(
    private readonly span: Span,
    private readonly active: Context,
  ) {}

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  get spanId(): string {
    return this.span.spanContext().spanId;
  }

  run<T>(work: () => T): T {
    return context.with(this.active, work);
  }

  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  end(attributes: Attributes = {}, failed = false): void {
    this.span.setAttributes(attributes);
    if (failed) this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.span.end();
  }
}

function open(name: string, kind: SpanKind, attributes: Attributes, parent: Context): OpenSpan | null {
  if (!tracer) return null;
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  return new OpenSpan(span, trace.setSpan(parent, span));
}

/**
 * The span of one incoming request: a new trace, or, when `parentHeaders` are given (a caller we trust, such as the
 * gateway calling an agency), the child of the span their W3C `traceparent` names. Null while tracing is off.
 */
export function startServerSpan(
  name: string,
  attributes: Attributes,
  parentHeaders?: IncomingHttpHeaders,
): OpenSpan | null {
  if (!tracer) return null;
  const parent =
    parentHeaders && propagator ? propagator.extract(ROOT_CONTEXT, parentHeaders, headerGetter) : ROOT_CONTEXT;
  return open(name, SpanKind.SERVER, attributes, parent);
}

/** A span for a call this service makes, under whatever span is current. Null while tracing is off. */
export function startClientSpan(name: string, attributes: Attributes): OpenSpan | null {
  return tracer ? open(name, SpanKind.CLIENT, attributes, context.active()) : null;
}

/** Runs work inside a span of its own under the current one (an internal step worth timing, such as an audit append). */
export async function inSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!tracer) return work();
  const span = open(name, SpanKind.INTERNAL, {}, context.active())!;
  let failed = false;
  try {
    return await span.run(work);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    span.end({}, failed);
  }
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The W3C `traceparent` header naming the current span, for an outgoing call; no headers while tracing is off. */
export function traceHeaders(): Readonly<Record<string, string>> {
  if (!propagator) return NO_HEADERS;
  const headers: Record<string, string> = {};
  propagator.inject(context.active(), headers, headerSetter);
  return headers;
}

const headerGetter = {
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
};

const headerSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};
