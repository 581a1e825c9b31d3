import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { graphqlRequestDuration, graphqlRequests, operationLabel, secondsSince } from "@safeguarding/shared/metrics";
import { startServerSpan, type OpenSpan } from "@safeguarding/shared/tracing";

/** What a service says about itself for its request metrics and spans. */
export interface ObserveOptions {
  /** The service's name, as its logs and audit entries give it: "gateway", "police". */
  service: string;
  /** Operation names reported as themselves; any other is "other", so labels stay few. */
  operations: ReadonlySet<string>;
  /**
   * Continue the trace a caller's `traceparent` names (an agency, called by the gateway). The gateway's public port
   * does not: each of its requests starts a trace of its own, so a caller can neither choose a request's trace id
   * nor turn its tracing off with the sampled flag.
   */
  joinCallerTrace: boolean;
}

/** One GraphQL request being measured: its span (while tracing is on) and the operation Apollo resolved. */
export interface RequestObservation {
  span: OpenSpan | null;
  operation: string | null;
}

/**
 * Where a request's context holds its observation. A property rather than a WeakMap keyed by the context: Apollo
 * runs each operation on a shallow copy of the context object, which copies this property and not the identity.
 */
const OBSERVATION = Symbol("request observation");
type Observed = { [OBSERVATION]?: RequestObservation };

/**
 * Starts measuring one GraphQL request: the request counter and latency histogram, and its server span, are written
 * when the response is finished (or the connection drops), whatever path answered it.
 */
export function observeRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: ObserveOptions,
): RequestObservation {
  const started = performance.now();
  const span = startServerSpan(
    `${request.method ?? "GET"} /graphql`,
    { "http.request.method": request.method ?? "GET", "url.path": "/graphql" },
    options.joinCallerTrace ? request.headers : undefined,
  );
  const observation: RequestObservation = { span, operation: null };
  response.once("close", () => {
    const operation = operationLabel(observation.operation, options.operations);
    const status = response.writableFinished ? response.statusCode : 499;
    graphqlRequests.inc({ service: options.service, operation, status });
    graphqlRequestDuration.observe({ service: options.service, operation }, secondsSince(started));
    span?.end({ "http.response.status_code": status, "graphql.operation.name": operation }, status >= 500);
  });
  return observation;
}

/**
 * Ties a request's context to its observation, so the plugin below can say which operation it was, and tags the
 * request's span with the part of its request id the gateway made, so a request id quoted in a support call finds
 * its trace. Only that part: a caller may start the id with its own text ("<caller's id>.<8 hex>"), and nothing a
 * caller chose goes into a span.
 */
export function observeContext(contextValue: { requestId?: string }, observation: RequestObservation): void {
  (contextValue as Observed)[OBSERVATION] = observation;
  const { requestId } = contextValue;
  if (observation.span && requestId)
    observation.span.setAttributes({ "safeguarding.request_id": requestId.slice(requestId.lastIndexOf(".") + 1) });
}

/**
 * Tells the request's observation the operation name Apollo resolved (from the document when the caller sent no
 * operationName, and for persisted queries sent as a hash). Every ApolloServer served by serveHttp adds it.
 */
export const operationNamePlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operationName }) {
        const observation = (contextValue as Observed)[OBSERVATION];
        if (observation) observation.operation = operationName;
      },
    };
  },
};
