import type { GraphiQLProps } from "graphiql";

type Fetcher = GraphiQLProps["fetcher"];

/**
 * GraphiQL's fetcher: POSTs to the gateway with the signed-in user's bearer token. A header typed in GraphiQL's
 * headers editor wins (to try another token by hand); names are compared case-insensitively so the two never both go.
 */
export function createFetcher(graphqlPath: string, accessToken: () => string | null): Fetcher {
  return async (params, options) => {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    const token = accessToken();
    if (token) headers.authorization = `Bearer ${token}`;
    for (const [name, value] of Object.entries(options?.headers ?? {})) headers[name.toLowerCase()] = String(value);
    const response = await fetch(graphqlPath, { method: "POST", headers, body: JSON.stringify(params) });
    try {
      return await response.json();
    } catch {
      return { errors: [{ message: `The gateway answered ${response.status} without a GraphQL response.` }] };
    }
  };
}
