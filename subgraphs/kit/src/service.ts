import type { IncomingMessage } from "node:http";
import { randomUUID } from "node:crypto";
import { ApolloServer, type BaseContext } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { serveHttp, type RunningHttp } from "./http.js";
import type { FederatedSchema } from "./schema.js";
import type { Store } from "./store.js";

export interface RequestContext extends BaseContext {
  requestId: string;
}

/**
 * Errors a caller can act on keep their code and message; anything unexpected becomes a plain
 * INTERNAL_SERVER_ERROR with no stack, SQL or path, and is logged here with the request id instead.
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? null) : null;
  const code = formatted.extensions?.code;
  const expected =
    typeof code === "string" && code !== "INTERNAL_SERVER_ERROR" && !(original && !(original instanceof GraphQLError));
  if (expected) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  console.error(
    JSON.stringify({ level: "error", message: "unexpected error", error: String((original ?? error) as Error) }),
  );
  return {
    message: "The service failed to answer this part of the request. Try again; if it keeps failing, report it.",
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  };
}

export interface SubgraphServiceOptions<TContext extends RequestContext> {
  name: string;
  federated: FederatedSchema;
  store: Store<unknown>;
  createContext: (requestId: string, request: IncomingMessage) => TContext;
  port: number;
  host: string;
}

export interface RunningService extends RunningHttp {
  name: string;
}

export async function startSubgraphService<TContext extends RequestContext>(
  options: SubgraphServiceOptions<TContext>,
): Promise<RunningService> {
  const apollo = new ApolloServer<TContext>({
    schema: options.federated.schema,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    includeStacktraceInErrorResponses: false,
    formatError: maskError,
  });
  await apollo.start();
  const http = await serveHttp<TContext>({
    apollo,
    port: options.port,
    host: options.host,
    context: async (request) => {
      const header = request.headers["x-request-id"];
      const requestId = typeof header === "string" && /^[\w-]{1,64}$/.test(header) ? header : randomUUID();
      return options.createContext(requestId, request);
    },
    probe: {
      health: async () => ({ service: options.name }),
      ready: async () => {
        await options.store.ping();
        return { ok: true, checks: { store: `ok (${options.store.dialect})` } };
      },
    },
  });
  return {
    ...http,
    name: options.name,
    async close() {
      await http.close();
      await apollo.stop();
    },
  };
}

/** Runs a service until SIGINT/SIGTERM, then closes it (and its store) before exiting. */
export function stopOnSignal(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(`failed to stop cleanly on ${signal}: ${String(error)}`);
        process.exit(1);
      });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
