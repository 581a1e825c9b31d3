import type { GraphQLError } from "graphql";
import type { AccessGrant, ChildFacts } from "@safeguarding/shared/identity";
import type { AccessRecord } from "@safeguarding/shared/request-audit";
import type { PolicyContext } from "@safeguarding/kit";
import type { RequestReadPlan } from "./read-path/read-path.js";

/** One gateway request: who is asking (null for an anonymous glossary look-up), and what happened so far. */
export interface GatewayContext extends PolicyContext {
  requestId: string;
  grant: AccessGrant | null;
  access: AccessRecord;
  /** Problems that did not stop an answer (an agency missing from a search); added to the response's errors. */
  warnings: GraphQLError[];
  /** Agencies that already failed during this request: later calls to them fail at once instead of waiting again. */
  unavailableAgencies: Map<string, string>;
  /** What the read path fetches ahead for this request's query plan; absent until the request is planned. */
  readPlan?: RequestReadPlan;
  /** The gateway's signed assertion of this request's grant for one subgraph (by its name). */
  assertionFor(audience: string, via?: "protocol"): Promise<string>;
}

/** Adds what one agency said about a child to the facts the policy's conditions read. */
export function addFacts(grant: AccessGrant | null, childId: string, facts: Partial<ChildFacts>): void {
  if (!grant) return;
  const current = grant.facts[childId] ?? { missingOrRecentlyFound: false, allocatedSocialWorker: false };
  grant.facts[childId] = {
    missingOrRecentlyFound: current.missingOrRecentlyFound || facts.missingOrRecentlyFound === true,
    allocatedSocialWorker: current.allocatedSocialWorker || facts.allocatedSocialWorker === true,
  };
}
