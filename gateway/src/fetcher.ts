import type { RemoteGraphQLDataSource } from "@apollo/gateway";

type Fetcher = RemoteGraphQLDataSource["fetcher"];

/**
 * Node's fetch (undici) keeps connections to each subgraph alive between requests; every call gets its own
 * deadline so a slow agency fails on time instead of holding the whole response.
 */
export function createSubgraphFetcher(timeoutMs: number): Fetcher {
  return (async (url: string, init?: Record<string, unknown>) => {
    const signal = AbortSignal.timeout(timeoutMs);
    return fetch(url, { ...(init as RequestInit), signal });
  }) as unknown as Fetcher;
}

export class AgencyUnavailableError extends Error {
  constructor(
    readonly agency: string,
    readonly reason: string,
  ) {
    super(`${agency}: ${reason}`);
  }
}

/** Calls one subgraph directly (used by the child index), with the same deadline as gateway fetches. */
export async function postGraphql<T>(
  url: string,
  agency: string,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs: number,
  requestId: string,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    throw new AgencyUnavailableError(agency, timedOut ? `did not answer within ${timeoutMs / 1000} s` : "could not be reached");
  }
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: { message: string }[] } | null;
  if (!response.ok || !body?.data) throw new AgencyUnavailableError(agency, "failed to answer");
  return body.data;
}
