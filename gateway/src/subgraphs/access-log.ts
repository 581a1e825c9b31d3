import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse, type GraphQLSchema } from "graphql";
import type { Kysely } from "kysely";
import { DateTimeResolver } from "graphql-scalars";
import { badInput } from "@safeguarding/kit";
import { parseNhsNumber } from "@safeguarding/shared/nhs-number";
import { queryAuditLog, type AuditRecord } from "@safeguarding/shared/audit";
import { askEveryAgency } from "../agencies.js";
import type { AgencyEndpoint } from "../config.js";
import { addFacts, type GatewayContext } from "../context.js";

/**
 * The access log, served from the gateway's own audit trail (the one place that records a cross-agency read as a
 * whole: who, when, why, which sections, what was refused). Each agency also keeps its own trail of what it
 * disclosed; `npm run audit:verify` checks all of them.
 */
export const AUDIT_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  scalar DateTime

  type Query {
    "A child's access history, newest first: who looked, when and why. For auditors and the child's allocated social worker."
    accessLog(
      "The child's NHS number."
      childId: ID!
      "Entries at or after this time."
      from: DateTime
      "Entries at or before this time."
      to: DateTime
      "At most 1000; 100 if not given."
      limit: Int
    ): [AccessLogEntry!]
  }

  "One recorded look at, search for or change to a child's record."
  type AccessLogEntry {
    at: DateTime!
    "Ties this entry to each agency's own audit entries for the same request."
    requestId: ID!
    "READ, SEARCH or WRITE."
    action: String!
    "The operation: child, children, or the name of a write."
    operation: String!
    userId: String!
    userName: String!
    role: String!
    organisation: String!
    purpose: AccessLogPurpose
    "The parts of the record that were returned."
    sections: [String!]!
    "Fields the policy refused to this user."
    fieldsDenied: [String!]!
    "OK, PARTIAL (some fields refused), DENIED, REFUSED or ERROR."
    outcome: String!
  }

  type AccessLogPurpose {
    code: String!
    reference: String!
    agreement: String
  }

  type Child @key(fields: "id") {
    id: ID!
    "The last 25 times this child's record was read: who, from which organisation, when and why (as CP-IS shows NHS staff). For auditors and the allocated social worker."
    recentlyViewedBy: [RecentView!]
  }

  type RecentView {
    at: DateTime!
    userName: String!
    role: String!
    organisation: String!
    purpose: AccessLogPurpose
  }
`;

const RECENT_VIEWS = 25;

/** Every object carries the child's id (not in the schema) so the policy's conditions can be checked on it. */
const purposeOf = (entry: AuditRecord, childId: string) =>
  entry.purposeCode
    ? { childId, code: entry.purposeCode, reference: entry.purposeReference ?? "", agreement: entry.agreement }
    : null;

export interface AuditSubgraphDependencies {
  audit: Kysely<any>;
  agencies: readonly AgencyEndpoint[];
  timeoutMs: number;
}

/**
 * Before the policy decides on accessLog: a social worker may read the log of a child allocated to them, which
 * only social care can say, so ask it first and add the answer to the request's facts.
 */
export async function loadAllocationFacts(
  deps: AuditSubgraphDependencies,
  context: GatewayContext,
  childId: string,
): Promise<void> {
  if (context.grant?.identity.role !== "SOCIAL_WORKER") return;
  const socialCare = deps.agencies.filter((a) => a.agency === "SOCIAL_CARE");
  const { answers } = await askEveryAgency<{ subjects: { nhsNumber: string; allocatedToCaller: boolean | null }[] }>(
    socialCare,
    deps.timeoutMs,
    context,
    (a) =>
      `query Allocation($ids: [ID!]!) { subjects: ${a.queryPrefix}Subjects(nhsNumbers: $ids) { nhsNumber allocatedToCaller } }`,
    { ids: [childId] },
  );
  for (const { data } of answers)
    for (const subject of data.subjects ?? [])
      addFacts(context.grant, subject.nhsNumber, { allocatedSocialWorker: subject.allocatedToCaller === true });
}

export function createAuditSchema(deps: AuditSubgraphDependencies): GraphQLSchema {
  const resolvers = {
    DateTime: DateTimeResolver,
    Query: {
      async accessLog(
        _: unknown,
        args: { childId: string; from?: Date | null; to?: Date | null; limit?: number | null },
      ) {
        const parsed = parseNhsNumber(args.childId);
        if (!parsed.ok) throw badInput(parsed.reason, "childId");
        const limit = args.limit ?? 100;
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw badInput("limit must be between 1 and 1000.", "limit");
        if (args.from && args.to && args.from.getTime() > args.to.getTime())
          throw badInput("from is after to: give the earlier time as from.", "from");
        const entries = await queryAuditLog(deps.audit, {
          childId: parsed.value,
          from: args.from ?? undefined,
          to: args.to ?? undefined,
          limit,
        });
        return entries.map((entry) => ({
          childId: parsed.value,
          at: new Date(entry.at),
          requestId: entry.requestId,
          action: entry.action,
          operation: entry.operation,
          userId: entry.userId,
          userName: entry.userName,
          role: entry.role,
          organisation: entry.organisation,
          purpose: purposeOf(entry, parsed.value),
          sections: entry.fieldsReturned,
          fieldsDenied: entry.fieldsDenied,
          outcome: entry.outcome,
        }));
      },
    },
    Child: {
      __resolveReference: (reference: { id: string }) => reference,
      async recentlyViewedBy(child: { id: string }, _: unknown, context: GatewayContext) {
        // Reads of the record itself (alone or with other fields in one request), not reads of the access log.
        const entries = await queryAuditLog(deps.audit, { childId: child.id, actions: ["READ"], limit: 500 });
        return entries
          .filter((entry) => entry.requestId !== context.requestId && entry.operation.split(", ").includes("child"))
          .slice(0, RECENT_VIEWS)
          .map((entry) => ({
            childId: child.id,
            at: new Date(entry.at),
            userName: entry.userName,
            role: entry.role,
            organisation: entry.organisation,
            purpose: purposeOf(entry, child.id),
          }));
      },
    },
  };
  return buildSubgraphSchema([{ typeDefs: parse(AUDIT_SDL), resolvers: resolvers as never }]);
}
