import type { IncomingMessage } from "node:http";
import { randomUUID } from "node:crypto";
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from "@apollo/server/plugin/disabled";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { Kysely } from "kysely";
import { serveHttp, HttpRefusal, type HttpRoute, type MetricsExposure, type RunningHttp } from "./http.js";
import { operationNamePlugin } from "./observe.js";
import { ASSERTION_HEADER, CHILDREN_HEADER, type AssertionVerifier } from "@safeguarding/shared/assertion";
import { requestedFieldsOf } from "./access/enforce.js";
import type { AccessGrant } from "@safeguarding/shared/identity";
import { createAuditWriter } from "@safeguarding/shared/audit";
import { serviceLog, type Logger } from "@safeguarding/shared/log";
import { GATEWAY_TO_AGENCY_OPERATIONS } from "@safeguarding/shared/metrics";
import { auditOutcome, recordOrWithhold } from "./audit-response.js";
import { auditedCaller, newAccessRecord, type AccessRecord } from "@safeguarding/shared/request-audit";
import type { FederatedSchema } from "./schema.js";
import type { Store } from "@safeguarding/shared/store";

/** What every subgraph request carries before the agency adds its own services and loaders. */
export interface RequestBase {
  requestId: string;
  /** The caller as the gateway asserts it (verified before any GraphQL runs). */
  grant: AccessGrant;
  /** What the policy let this request see and refused: the audit entry is written from it. */
  access: AccessRecord;
  /** Set by a write that recorded its own audit entry inside its transaction. */
  audited: boolean;
}

export interface RequestContext extends BaseContext, RequestBase {}

/**
 * Errors a caller can act on keep their code and message; anything unexpected becomes a plain
 * INTERNAL_SERVER_ERROR with no stack, SQL or path, and is logged here (with the request id) instead.
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? null) : null;
  const code = formatted.extensions?.code;
  const expected =
    typeof code === "string" && code !== "INTERNAL_SERVER_ERROR" && !(original && !(original instanceof GraphQLError));
  if (expected) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  log.error({ error: String((original ?? error) as Error) }, "unexpected error");
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
  createContext: (base: RequestBase, request: IncomingMessage) => TContext;
  port: number;
  host: string;
  /** Checks the gateway's assertion on every GraphQL request; none or a bad one is refused with 401. */
  verifier: AssertionVerifier;
  /** Where /metrics is served; nowhere when absent. */
  metrics?: MetricsExposure;
  /**
   * Paths served beside GraphQL that are not behind the gateway's assertion (the alerts service's /events, which
   * agencies call with their own signature): each route checks its own callers.
   */
  routes?: Record<string, HttpRoute>;
  /** Called after each mutation is answered: the outbox relay looks for the events it recorded. */
  onWrite?: () => void;
}

export interface RunningService extends RunningHttp {
  name: string;
}

export async function startSubgraphService<TContext extends RequestContext>(
  options: SubgraphServiceOptions<TContext>,
): Promise<RunningService> {
  const apollo = new ApolloServer<TContext>({
    // stopOnSignal closes everything once, in order; Apollo's own handler would leave close() waiting (see start.ts).
    stopOnTerminationSignals: false,
    schema: options.federated.schema,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // No field carries a cache hint and no answer may be cached (serveHttp sends no-store), so Apollo's
      // cache-control plugin would only wrap every resolver to find that out: measured with `npm run bench`.
      ApolloServerPluginCacheControlDisabled(),
      operationNamePlugin,
      auditPlugin(options.name, options.store.db as Kysely<any>),
      ...(options.onWrite ? [afterWritePlugin(options.onWrite)] : []),
    ],
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => maskError(formatted, error, serviceLog(options.name)),
  });
  await apollo.start();
  const http = await serveHttp<TContext>({
    apollo,
    port: options.port,
    host: options.host,
    // Only the gateway calls an agency (its assertion is checked next), so its trace is continued here.
    observe: { service: options.name, operations: GATEWAY_TO_AGENCY_OPERATIONS, joinCallerTrace: true },
    metrics: options.metrics,
    routes: options.routes,
    context: async (request) => {
      const header = request.headers[ASSERTION_HEADER];
      let grant: AccessGrant;
      try {
        grant = await options.verifier.verify(typeof header === "string" ? header : undefined);
      } catch {
        throw new HttpRefusal(
          401,
          "UNAUTHENTICATED",
          "This service answers only the safeguarding gateway: send your request to the gateway with your bearer token.",
        );
      }
      // The request id the gateway signed, so entries are tied to the gateway's by a value nobody else can set.
      const requestId = grant.requestId || randomUUID();
      return options.createContext({ requestId, grant, access: newAccessRecord(), audited: false }, request);
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

/**
 * Records every request that touched a child (or was refused something) in the agency's own audit trail before
 * the answer leaves. If the entry cannot be written the data is withheld: the answer becomes one
 * AUDIT_UNAVAILABLE error. Writes record themselves inside their own transaction (with before and after values);
 * a write that was refused is recorded here.
 */
function auditPlugin(service: string, db: Kysely<any>): ApolloServerPlugin<RequestContext> {
  const audit = createAuditWriter(db);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, operation, operationName, schema, document }) {
          if (response.body.kind !== "single") return;
          const { access, grant } = contextValue;
          const result = response.body.singleResult;
          const isWrite = operation?.operation === "mutation";
          if (access.childIds.size > 0) response.http.headers.set(CHILDREN_HEADER, [...access.childIds].join(","));
          if (contextValue.audited) return;
          if (!isWrite && access.childIds.size === 0 && access.fieldsDenied.size === 0 && !access.detail) return;
          // Every root field the request ran: the gateway's one request per agency asks for the child's subject and
          // its section together ("policeSubjects, _entities").
          const rootFields = [
            ...new Set(
              (operation?.selectionSet.selections ?? []).flatMap((s) => (s.kind === "Field" ? [s.name.value] : [])),
            ),
          ];
          // The checked fields, and the plain ones under them whose decision their parent made.
          const fieldsReturned = [
            ...new Set([
              ...access.fieldsReturned,
              ...(document ? requestedFieldsOf(schema, document, access.fieldsDenied) : []),
            ]),
          ].sort();
          const errors = result.errors ?? [];
          await recordOrWithhold(
            audit,
            {
              requestId: contextValue.requestId,
              service,
              action: isWrite ? "WRITE" : "READ",
              operation: rootFields.join(", ") || operationName || "unknown",
              ...auditedCaller(grant),
              childIds: [...access.childIds].sort(),
              fieldsReturned,
              fieldsDenied: [...access.fieldsDenied].sort(),
              // A write that reaches here did not record itself, so it was refused.
              outcome: auditOutcome(errors, !isWrite && fieldsReturned.length > 0),
              detail: isWrite ? (errors[0]?.message ?? null) : access.detail,
            },
            response,
          );
        },
      };
    },
  };
}

/** Tells `onWrite` when a mutation has been answered (its transaction, and any event in it, committed or not). */
function afterWritePlugin(onWrite: () => void): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation }) {
          if (operation?.operation === "mutation") onWrite();
        },
      };
    },
  };
}

/** Runs a service until SIGINT/SIGTERM, then closes it (and its store) before exiting. */
export function stopOnSignal(close: () => Promise<void>, log: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ signal, error: String(error) }, "failed to stop cleanly");
        process.exit(1);
      });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}
