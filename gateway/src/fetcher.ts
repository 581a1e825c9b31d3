import { createHash } from "node:crypto";
import type { RemoteGraphQLDataSource } from "@apollo/gateway";
import type { GraphQLFormattedError } from "graphql";
import { Pool } from "undici";
import { CHILDREN_HEADER } from "@safeguarding/shared/assertion";
import { traceHeaders } from "@safeguarding/shared/tracing";
import { currentWireNotes, observeAgencyCall } from "./agency-calls.js";
import { AgencySilent, createAgencyBreaker, silenceOf, type AgencyBreaker } from "./breakers.js";
import { probeUrl } from "./config.js";

type Fetcher = RemoteGraphQLDataSource["fetcher"];

/**
 * One pool of kept-alive connections per subgraph origin for the whole gateway process. undici rather than
 * node:http: every child read makes a call to each agency, and undici's pool costs less CPU per call (measured with
 * `npm run bench:ab`). It keeps a connection no longer than the agency's Keep-Alive header allows, so it does not
 * reuse one the agency is closing.
 */
const pools = new Map<string, Pool>();
function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) pools.set(origin, (pool = new Pool(origin, { connections: 128 })));
  return pool;
}

const targets = new Map<string, { origin: string; path: string }>();
function targetOf(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    targets.set(url, (target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` }));
  }
  return target;
}

export class SubgraphTimeoutError extends Error {
  override name = "TimeoutError";
}

interface PostResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A POST with a hard deadline on the whole exchange, answer included. */
async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostResult> {
  const { origin, path } = targetOf(url);
  const notes = currentWireNotes();
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    if (notes) notes.timedOut = true;
    deadline.abort(new SubgraphTimeoutError(`no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  try {
    const response = await poolFor(origin).request({
      method: "POST",
      path,
      // traceparent: the agency's request span is a child of this call's span (no header while tracing is off).
      headers: { ...headers, ...traceHeaders() },
      body,
      signal: deadline.signal,
    });
    if (notes) notes.status = response.statusCode;
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  } catch (error) {
    throw deadline.signal.aborted ? (deadline.signal.reason as Error) : error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The fetcher the gateway's subgraph data sources use: keep-alive connections, and every call gets its own
 * deadline so a slow agency fails on time instead of holding the whole response.
 */
export function createSubgraphFetcher(timeoutMs: number): Fetcher {
  return (async (url: string, init?: { headers?: Record<string, string>; body?: string }) => {
    const result = await post(url, init?.headers ?? {}, init?.body ?? "", timeoutMs);
    const header = (name: string) => {
      const value = result.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : (value ?? null);
    };
    return {
      ok: result.status >= 200 && result.status < 300,
      status: result.status,
      statusText: String(result.status),
      url,
      headers: { get: header, has: (name: string) => header(name) !== null },
      text: async () => result.body,
      json: async () => JSON.parse(result.body) as unknown,
    };
  }) as unknown as Fetcher;
}

import { AUDIT_WITHHELD } from "./errors.js";

export class AgencyUnavailableError extends Error {
  constructor(
    readonly agency: string,
    readonly reason: string,
  ) {
    super(`${agency}: ${reason}`);
  }
}

/** An agency's whole answer: its data, its own errors, and the children it says the answer touched. */
export interface AgencyResponse<T> {
  data: T;
  errors: GraphQLFormattedError[];
  children: string[];
}

/** One breaker per agency (by URL) for the whole gateway process: every call to the agency goes through it. */
const breakers = new Map<string, AgencyBreaker>();
export function breakerFor(url: string): AgencyBreaker {
  let breaker = breakers.get(url);
  if (!breaker) breakers.set(url, (breaker = createAgencyBreaker(probeUrl(url, "health"))));
  return breaker;
}

const hashes = new Map<string, string>();
/** The query hashes each agency (by URL) has been sent the text of. */
const registered = new Map<string, Set<string>>();
function queryHash(query: string): string {
  let hash = hashes.get(query);
  if (!hash) {
    if (hashes.size > 1000) hashes.clear();
    hash = createHash("sha256").update(query).digest("hex");
    hashes.set(query, hash);
  }
  return hash;
}

/** Calls one subgraph directly (the child index, the protocol), with the same deadline as gateway fetches. */
export async function postGraphql<T>(
  url: string,
  agency: string,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<T> {
  return (await postGraphqlResponse<T>(url, agency, query, variables, timeoutMs, headers)).data;
}

/**
 * As postGraphql, with the agency's errors (a refused field, an error in one section) and the children header. An
 * agency that does not answer, answers without data, or withheld its answer for want of an audit entry throws
 * AgencyUnavailableError. Every call is counted, timed and traced by outcome (agency-calls.ts).
 */
export function postGraphqlResponse<T>(
  url: string,
  agency: string,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<AgencyResponse<T>> {
  return observeAgencyCall(agency, breakerFor(url).open, () =>
    callAgency<T>(url, agency, query, variables, timeoutMs, headers),
  );
}

async function callAgency<T>(
  url: string,
  agency: string,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<AgencyResponse<T>> {
  // Once an agency has a query's text, send only its hash (automatic persisted queries); the text goes with the first
  // call, and again only if the agency has forgotten it (a restart), so a read stays one request per agency.
  const hash = queryHash(query);
  const persistedQuery = { version: 1, sha256Hash: hash };
  let known = registered.get(url);
  if (!known) registered.set(url, (known = new Set()));
  const send = (body: Record<string, unknown>) =>
    post(url, { "content-type": "application/json", ...headers }, JSON.stringify(body), timeoutMs);
  let result: PostResult;
  try {
    result = await breakerFor(url).call(async () => {
      try {
        const withText = !known.has(hash);
        let answer = await send(
          withText
            ? { query, variables, extensions: { persistedQuery } }
            : { variables, extensions: { persistedQuery } },
        );
        if (!withText && answer.body.includes("PERSISTED_QUERY_NOT_FOUND"))
          answer = await send({ query, variables, extensions: { persistedQuery } });
        if (answer.status === 200) known.add(hash);
        return answer;
      } catch (error) {
        throw silenceOf(error, error instanceof SubgraphTimeoutError, timeoutMs);
      }
    });
  } catch (error) {
    if (error instanceof AgencySilent) throw new AgencyUnavailableError(agency, error.reason);
    throw error;
  }
  let body: { data?: T; errors?: GraphQLFormattedError[] } | null;
  try {
    body = JSON.parse(result.body) as typeof body;
  } catch {
    body = null;
  }
  if (body?.errors?.some((e) => e.extensions?.code === "AUDIT_UNAVAILABLE"))
    throw new AgencyUnavailableError(agency, AUDIT_WITHHELD);
  if (result.status !== 200 || !body?.data) throw new AgencyUnavailableError(agency, "failed to answer");
  const touched = result.headers[CHILDREN_HEADER];
  return {
    data: body.data,
    errors: body.errors ?? [],
    children: typeof touched === "string" ? touched.split(",").filter((id) => /^\d{10}$/.test(id)) : [],
  };
}
