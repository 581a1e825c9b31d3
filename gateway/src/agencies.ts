import { ASSERTION_HEADER } from "@safeguarding/shared/assertion";
import type { AgencyEndpoint } from "./config.js";
import { AgencyUnavailableError, postGraphql } from "./fetcher.js";
import type { GatewayContext } from "./context.js";

/** What a direct call to the agencies needs from the gateway's request context. */
export type AgencyCallContext = Pick<GatewayContext, "requestId" | "unavailableAgencies" | "assertionFor">;

export interface AgencyAnswers<T> {
  answers: { agency: AgencyEndpoint; data: T }[];
  failed: AgencyUnavailableError[];
}

/**
 * Asks every agency subgraph one GraphQL query in parallel, directly over HTTP with the gateway's deadline and the
 * request id. An agency that does not answer is reported in `failed` (and remembered for the rest of the request),
 * never hidden; any other error is thrown.
 */
export async function askEveryAgency<T>(
  agencies: readonly AgencyEndpoint[],
  timeoutMs: number,
  context: AgencyCallContext,
  query: (agency: AgencyEndpoint) => string,
  variables: Record<string, unknown>,
  /** "protocol" when the protocol engine reads on the user's behalf. */
  via?: "protocol",
): Promise<AgencyAnswers<T>> {
  const settled = await Promise.allSettled(
    agencies.map(async (agency) => {
      const known = context.unavailableAgencies.get(agency.agency);
      if (known) throw new AgencyUnavailableError(agency.agency, known);
      const headers = { [ASSERTION_HEADER]: await context.assertionFor(agency.name, via) };
      return {
        agency,
        data: await postGraphql<T>(agency.url, agency.agency, query(agency), variables, timeoutMs, {
          ...headers,
          "x-request-id": context.requestId,
        }),
      };
    }),
  );
  const answers: AgencyAnswers<T>["answers"] = [];
  const failed: AgencyUnavailableError[] = [];
  for (const result of settled) {
    if (result.status === "fulfilled") answers.push(result.value);
    else if (result.reason instanceof AgencyUnavailableError) {
      failed.push(result.reason);
      context.unavailableAgencies.set(result.reason.agency, result.reason.reason);
    } else throw result.reason;
  }
  return { answers, failed };
}
