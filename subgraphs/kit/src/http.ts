import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";
import { withRequestLog } from "@safeguarding/shared/log";
import { collectProcessMetrics, metricsText } from "@safeguarding/shared/metrics";
import { observeContext, observeRequest, type ObserveOptions } from "./observe.js";

export interface Probe {
  /** Liveness: the process answers. */
  health?: () => Promise<Record<string, unknown>>;
  /** Readiness: what this service depends on is reachable. Throw (or return ok:false) when not. */
  ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
}

/**
 * Thrown by a context function to refuse a request before any GraphQL runs (no or bad credentials, rate limit):
 * the client gets this status and one error with this code and sentence.
 */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A request's context; one that carries a request id has it on every log line the request writes. */
export type HttpContext = BaseContext & { requestId?: string };

/**
 * Answers a request that is not GraphQL (a page, a file); returns false to pass it on, to GraphQL or the 404.
 */
export type HttpRoute = (request: IncomingMessage, response: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface HttpOptions<TContext extends HttpContext> {
  apollo: ApolloServer<TContext>;
  /**
   * Builds the request's context before GraphQL runs, given the request and its parsed JSON body (undefined for a
   * GET); throw HttpRefusal to refuse the request.
   */
  context: (request: IncomingMessage, body: unknown, search: string) => Promise<TContext>;
  probe: Probe;
  port: number;
  host: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /**
   * Extra routes by path, tried after the probes and before GraphQL: a key answers for that path and every path
   * under it (`/explorer` for `/explorer/x`; `/` only for itself).
   */
  routes?: Record<string, HttpRoute>;
  /** Request metrics and spans for GraphQL requests (see observe.ts). */
  observe?: ObserveOptions;
  /** Where Prometheus reads /metrics; nowhere when absent. */
  metrics?: MetricsExposure;
}

/**
 * /metrics is for the platform's Prometheus, not for the public: in production it is served only on its own
 * listener (METRICS_PORT, on the same HOST), which the deployment keeps off the load balancer; in development it is
 * on the public port too, where `curl` finds it.
 */
export interface MetricsExposure {
  onPublicPort: boolean;
  /** A second listener serving only /metrics (0 picks a free port). */
  port?: number;
}

/** Where a service finds Prometheus: METRICS_PORT, and whether /metrics is on the public port (not in production). */
export function metricsExposureFromEnv(production: boolean, env: NodeJS.ProcessEnv = process.env): MetricsExposure {
  const raw = env.METRICS_PORT;
  let port: number | undefined;
  if (raw !== undefined && raw !== "") {
    port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`METRICS_PORT must be a port number (0 picks a free one); got "${raw.slice(0, 20)}".`);
  }
  return { onPublicPort: !production, port };
}

function findRoute(routes: Record<string, HttpRoute> | undefined, path: string): HttpRoute | undefined {
  if (!routes) return undefined;
  if (Object.hasOwn(routes, path)) return routes[path];
  const prefix = Object.keys(routes).find((key) => key !== "/" && path.startsWith(`${key}/`));
  return prefix ? routes[prefix] : undefined;
}

export interface RunningHttp {
  server: Server;
  url: string;
  /** Where /metrics is served (the METRICS_PORT listener when there is one); undefined when nowhere. */
  metricsUrl?: string;
  close(): Promise<void>;
}

async function sendMetrics(response: ServerResponse): Promise<void> {
  const { contentType, body } = await metricsText();
  response.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  response.end(body);
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve(`http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A request body longer than the limit readBody was given. */
export class BodyTooLarge extends Error {}

/** The request body as text, refused (BodyTooLarge) past `limit` bytes without reading the rest into memory. */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

function graphqlError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  response.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * Serves an Apollo Server over node:http at /graphql (and / for tools that expect it), with /health and
 * /ready probes. One adapter for the gateway and every subgraph.
 */
export async function serveHttp<TContext extends HttpContext>(options: HttpOptions<TContext>): Promise<RunningHttp> {
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const metrics = options.metrics;
  if (metrics && (metrics.onPublicPort || metrics.port !== undefined)) collectProcessMetrics();
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://localhost");
      if (url.pathname === "/health") {
        sendJson(response, 200, { status: "ok", ...(options.probe.health ? await options.probe.health() : {}) });
        return;
      }
      if (url.pathname === "/ready") {
        const result = await options.probe.ready().catch((error: unknown) => ({
          ok: false,
          checks: { error: error instanceof Error ? error.message : "not ready" },
        }));
        sendJson(response, result.ok ? 200 : 503, { status: result.ok ? "ready" : "not ready", checks: result.checks });
        return;
      }
      if (url.pathname === "/metrics" && metrics?.onPublicPort) {
        await sendMetrics(response);
        return;
      }
      const route = findRoute(options.routes, url.pathname);
      if (route && (await route(request, response, url))) return;
      if (url.pathname !== "/graphql" && url.pathname !== "/") {
        sendJson(response, 404, {
          error: { code: "NOT_FOUND", message: "Nothing here: GraphQL is served at /graphql." },
        });
        return;
      }
      const observation = options.observe ? observeRequest(request, response, options.observe) : null;
      let bodyText = "";
      if (request.method === "POST") bodyText = await readBody(request, maxBodyBytes);
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
      }
      let body: unknown = undefined;
      if (bodyText) {
        try {
          body = JSON.parse(bodyText);
        } catch {
          graphqlError(response, 400, "BAD_REQUEST", 'The request body is not valid JSON: send {"query": "..."}.');
          return;
        }
      }
      let contextValue: TContext;
      try {
        contextValue = await options.context(request, body, url.search);
      } catch (error) {
        if (!(error instanceof HttpRefusal)) throw error;
        graphqlError(response, error.status, error.code, error.message, error.headers);
        return;
      }
      if (observation) observeContext(contextValue, observation);
      const execute = () =>
        options.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: request.method?.toUpperCase() ?? "GET", headers, search: url.search, body },
          context: async () => contextValue,
        });
      // Every log line written while the request runs (errors, the audit routine) carries its id, and its trace id
      // while tracing is on; spans started while it runs (agency calls, the audit append) are children of its span.
      const span = observation?.span;
      const logged = () =>
        contextValue.requestId
          ? withRequestLog(
              span
                ? { requestId: contextValue.requestId, traceId: span.traceId }
                : { requestId: contextValue.requestId },
              execute,
            )
          : execute();
      const result = await (span ? span.run(logged) : logged());
      // Every answer is about a child or a caller and must never sit in a cache on the way (Apollo's cache-control
      // plugin, which used to say so, is off: no field has a cache hint).
      const responseHeaders: Record<string, string | number> = { "cache-control": "no-store" };
      for (const [key, value] of result.headers) responseHeaders[key] = value;
      if (result.body.kind === "complete") {
        responseHeaders["content-length"] = Buffer.byteLength(result.body.string);
        response.writeHead(result.status ?? 200, responseHeaders);
        response.end(result.body.string);
      } else {
        response.writeHead(result.status ?? 200, responseHeaders);
        for await (const chunk of result.body.asyncIterator) response.write(chunk);
        response.end();
      }
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        graphqlError(
          response,
          413,
          "PAYLOAD_TOO_LARGE",
          `The request body is larger than ${maxBodyBytes} bytes: send a smaller query.`,
        );
        return;
      }
      if (!response.headersSent)
        graphqlError(response, 500, "INTERNAL_SERVER_ERROR", "The service failed to answer; try again.");
      else response.end();
    }
  });
  server.keepAliveTimeout = 65_000;
  const origin = await listen(server, options.port, options.host);
  // The metrics listener answers /metrics and nothing else.
  const metricsServer =
    metrics?.port === undefined
      ? null
      : createServer((request, response) => {
          if (new URL(request.url ?? "/", "http://localhost").pathname !== "/metrics") {
            sendJson(response, 404, { error: { code: "NOT_FOUND", message: "Only /metrics is served here." } });
            return;
          }
          sendMetrics(response).catch(() => {
            if (!response.headersSent) sendJson(response, 500, { error: { code: "INTERNAL_SERVER_ERROR" } });
            else response.end();
          });
        });
  let metricsUrl: string | undefined;
  try {
    if (metricsServer) metricsUrl = `${await listen(metricsServer, metrics!.port!, options.host)}/metrics`;
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  if (!metricsUrl && metrics?.onPublicPort) metricsUrl = `${origin}/metrics`;
  return {
    server,
    url: `${origin}/graphql`,
    metricsUrl,
    close: async () => {
      await Promise.all([closeServer(server), metricsServer ? closeServer(metricsServer) : undefined]);
    },
  };
}
