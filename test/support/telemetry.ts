import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One finished span as an OTLP collector receives it (ids in hex, as OTLP/JSON writes them). */
export interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: "internal" | "server" | "client" | "other";
  attributes: Record<string, string | number | boolean>;
  error: boolean;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

const KINDS = { 1: "internal", 2: "server", 3: "client" } as const;

function attributes(list: OtlpAttribute[] = []): Record<string, string | number | boolean> {
  return Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? value.boolValue ?? "")),
    ]),
  );
}

/**
 * A stand-in OTLP/HTTP collector (JSON encoding, OTEL_EXPORTER_OTLP_PROTOCOL=http/json) that keeps every span it is
 * sent in memory: the services export to it exactly as they would to a real collector.
 */
export async function startTraceCollector() {
  let spans: CollectedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.url !== "/v1/traces" || !String(request.headers["content-type"]).startsWith("application/json")) {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpTraces;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributes(resourceSpans.resource?.attributes)["service.name"]);
        for (const scope of resourceSpans.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            spans.push({
              service,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: KINDS[span.kind as keyof typeof KINDS] ?? "other",
              attributes: attributes(span.attributes),
              error: span.status?.code === 2,
            });
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** OTEL_EXPORTER_OTLP_ENDPOINT for the services. */
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    clear() {
      spans = [];
    },
    /** Waits until `done` holds for the spans received (services export in batches), or fails after `ms`. */
    async waitFor(done: (spans: CollectedSpan[]) => boolean, ms = 10_000): Promise<CollectedSpan[]> {
      const started = Date.now();
      while (!done(spans)) {
        if (Date.now() - started > ms) {
          const seen = new Map<string, number>();
          for (const s of spans)
            seen.set(`${s.service} ${s.kind} ${s.name}`, (seen.get(`${s.service} ${s.kind} ${s.name}`) ?? 0) + 1);
          throw new Error(`spans not received within ${ms} ms; have ${JSON.stringify(Object.fromEntries(seen))}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return [...spans];
    },
    /** Waits until no span has arrived for `quietMs`: the spans of requests already answered are all in. */
    async settle(quietMs = 500): Promise<void> {
      let count = -1;
      while (count !== spans.length) {
        count = spans.length;
        await new Promise((resolve) => setTimeout(resolve, quietMs));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One Prometheus scrape, and the value of any sample in it. */
export class Scrape {
  constructor(readonly text: string) {}

  /** The sample with exactly these labels (in any order); 0 when the series has not been written yet. */
  value(name: string, labels: Record<string, string> = {}): number {
    const wanted = Object.entries(labels)
      .map(([key, value]) => `${key}="${value}"`)
      .sort()
      .join(",");
    for (const line of this.text.split("\n")) {
      if (line.startsWith("#")) continue;
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const labelText = (match[2] ?? "").match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
      if ([...labelText].sort().join(",") === wanted) return Number(match[3]);
    }
    return 0;
  }

  /** Every label set written for a metric, e.g. to check no label holds something it must not. */
  labelSets(name: string): string[] {
    return this.text
      .split("\n")
      .filter((line) => line.startsWith(`${name}{`))
      .map((line) => line.slice(name.length + 1, line.lastIndexOf("}")));
  }
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return new Scrape(await response.text());
}
