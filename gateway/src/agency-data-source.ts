import { RemoteGraphQLDataSource } from "@apollo/gateway";
import { ASSERTION_HEADER, CHILDREN_HEADER } from "@safeguarding/shared/assertion";
import type { GatewayContext } from "./context.js";
import { observeAgencyCall } from "./agency-calls.js";
import { AgencySilent, silenceOf } from "./breakers.js";
import { agencyUnavailable } from "./errors.js";
import { breakerFor } from "./fetcher.js";
import type { ReadPath } from "./read-path/read-path.js";

/**
 * The planner's calls to one agency. A fetch the read path already made (in the request that asked the agency who
 * the child is) is answered from that response, without calling again. A call that fails outright (refused, timed
 * out, HTTP error) becomes one error naming the agency, so the client learns which section is missing and never
 * sees the subgraph's URL or body.
 */
export class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly name: string,
    private readonly agency: string,
    private readonly timeoutMs: number,
    private readonly readPath: ReadPath | null,
    options: Partial<RemoteGraphQLDataSource<GatewayContext>>,
  ) {
    super(options);
  }

  override async willSendRequest({
    request,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["willSendRequest"]>>[0]) {
    if (context.requestId) request.http?.headers.set("x-request-id", context.requestId);
    // Signed per call: the facts the policy needs may have grown since the last call in this request.
    request.http?.headers.set(ASSERTION_HEADER, await context.assertionFor(this.name));
  }

  /** The agency names the children its answer touched; the gateway's audit entry names them too. */
  override didReceiveResponse({
    response,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["didReceiveResponse"]>>[0]) {
    const touched = response.http?.headers.get(CHILDREN_HEADER);
    for (const id of touched?.split(",") ?? []) if (/^\d{10}$/.test(id)) context.access.childIds.add(id);
    return response;
  }

  override async process(options: Parameters<RemoteGraphQLDataSource<GatewayContext>["process"]>[0]) {
    const known = options.context.unavailableAgencies?.get(this.agency);
    if (known) throw agencyUnavailable(this.agency, known);
    const { request, context } = options;
    const prefetched =
      request.query &&
      this.readPath?.takePrefetched(context as GatewayContext, request.query, request.variables?.representations);
    if (prefetched) return prefetched;
    const breaker = breakerFor(this.url);
    try {
      // Counted, timed and traced like every other agency call (agency-calls.ts).
      return await observeAgencyCall(this.name, breaker.open, () =>
        breaker.call(async () => {
          try {
            return await super.process(options);
          } catch (error) {
            const timedOut = error instanceof Error && /abort|timeout/i.test(`${error.name} ${error.message}`);
            throw silenceOf(error, timedOut, this.timeoutMs);
          }
        }),
      );
    } catch (error) {
      if (!(error instanceof AgencySilent)) throw error;
      options.context.unavailableAgencies?.set(this.agency, error.reason);
      throw agencyUnavailable(this.agency, error.reason);
    }
  }
}
