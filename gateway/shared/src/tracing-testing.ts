import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { startTracing, stopTracing } from "./tracing.js";

export type { ReadableSpan } from "@opentelemetry/sdk-trace";

/**
 * Tracing for a test in this process: every finished span is kept in memory, exported one at a time as it ends.
 * Kept apart from ./tracing so that a service never loads the SDK unless it traces.
 */
export async function traceInMemory(service: string) {
  const exporter = new InMemorySpanExporter();
  await startTracing(service, { exporter });
  return {
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    stop: stopTracing,
  };
}
