import { buildSubgraphSchema } from "@apollo/subgraph";
import { IDENTITY_PREFERENCE, type AgencyCode } from "@safeguarding/shared/agencies";
import { GraphQLError, Kind, parse, type GraphQLResolveInfo, type GraphQLSchema, type SelectionNode } from "graphql";
import { badInput, createBatchLoader } from "@safeguarding/kit";
import { formatNhsNumber, parseNhsNumber } from "@safeguarding/shared/nhs-number";
import type { AccessPurpose, AccessPurposeCode } from "@safeguarding/shared/identity";
import type { AgencyEndpoint } from "../config.js";
import { askEveryAgency } from "../agencies.js";
import { addFacts, type GatewayContext } from "../context.js";
import type { AgencyUnavailableError } from "../fetcher.js";
import { LOOKUP_FIELDS, SUBJECT_FIELDS, type AgencySubject, type ReadPath } from "../read-path/read-path.js";
import { SOURCE_SDL } from "./shared-sdl.js";

/**
 * The child index: owns `child` and `children`, and the identity fields of Child. It asks every agency what it
 * holds about an NHS number, so the record exists if any agency knows the child, and one agency being down
 * never hides the others. It runs inside the gateway process and is composed like any other subgraph.
 */
export const CHILD_INDEX_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

  scalar DateTime

  type Query {
    "One child's record across police, social care and health. id is the NHS number (spaces and hyphens allowed). Null when no agency knows the child. Every read is recorded with its purpose."
    child(id: ID!, purpose: AccessPurposeInput!): Child
    "Find children by name (partial, misspellings tolerated) and optional date of birth, best match first. Recorded with its purpose."
    children(search: ChildSearchInput!, purpose: AccessPurposeInput!): [ChildSummary!]!
  }

  "Why a child's record is being looked at. Recorded in the audit trail with who looked and when."
  enum AccessPurposeCode {
    "Responding to or following up a missing episode."
    MISSING_EPISODE
    "A section 47 enquiry or other safeguarding enquiry."
    SAFEGUARDING_ENQUIRY
    "Preparing for or holding a strategy discussion."
    STRATEGY_DISCUSSION
    "Planning or reviewing the child's care."
    CARE_PLANNING
    "A health or mental-health assessment."
    HEALTH_ASSESSMENT
    "An immediate risk to the child's life or safety."
    EMERGENCY
  }

  input AccessPurposeInput {
    code: AccessPurposeCode!
    "The incident, case or meeting number this look-up is for, e.g. INC-2026-004512."
    reference: String!
    "The data-sharing agreement relied on, where one applies (its reference or title)."
    agreement: String
  }

  input ChildSearchInput {
    "Any part of the child's given name, family name or the name they are known by."
    name: String!
    "YYYY-MM-DD"
    dateOfBirth: String
    "At most 50; 10 if not given."
    limit: Int
  }

  ${SOURCE_SDL}

  "How one agency records the child's identity."
  type AgencyIdentity {
    givenName: String!
    familyName: String!
    knownAs: String
    dateOfBirth: String!
    recordedAt: DateTime!
    source: Source!
  }

  type Child @key(fields: "id") {
    "The NHS number, 10 digits with no spaces."
    id: ID!
    "The NHS number written for people: 999 000 0018."
    nhsNumber: String!
    givenName: String!
    familyName: String!
    knownAs: String
    "YYYY-MM-DD"
    dateOfBirth: String!
    ageYears: Int!
    "The agencies that hold a record of this child (among those that answered)."
    knownTo: [Agency!]!
    "Each agency's own record of who the child is, to spot differences."
    identitySources: [AgencyIdentity!]!
    "Where agencies disagree about the child's name or date of birth."
    identityDiscrepancies: [String!]!
  }

  type ChildSummary {
    id: ID!
    nhsNumber: String!
    givenName: String!
    familyName: String!
    knownAs: String
    dateOfBirth: String!
    ageYears: Int!
    knownTo: [Agency!]!
    "How well the name matched, from 0 to 1."
    score: Float!
  }
`;

export { LOOKUP_FIELDS, SUBJECT_FIELDS, type AgencySubject } from "../read-path/read-path.js";

/** Identity fields that compare every agency's record: asking for one of them asks every agency. */
const EVERY_AGENCY_FIELDS = new Set(["knownTo", "identitySources", "identityDiscrepancies"]);

/** The field names selected directly under a field, through inline fragments and fragment spreads. */
function selectedNames(info: GraphQLResolveInfo): Set<string> {
  const out = new Set<string>();
  const walk = (selections: readonly SelectionNode[] | undefined, seen: Set<string>) => {
    for (const selection of selections ?? []) {
      if (selection.kind === Kind.FIELD) out.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet.selections, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        walk(info.fragments[selection.name.value]?.selectionSet.selections, seen);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet?.selections, new Set());
  return out;
}

export type ChildIndexContext = GatewayContext;

export interface AccessPurposeArgument {
  code: AccessPurposeCode;
  reference: string;
  agreement?: string | null;
}

const hasControlCharacters = (text: string) => [...text].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);

/** Checks the stated purpose and records it on the request's grant, so every agency's audit entry carries it. */
export function acceptPurpose(context: GatewayContext, purpose: AccessPurposeArgument): AccessPurpose {
  const reference = purpose.reference.trim();
  if (!reference) {
    throw badInput(
      "purpose.reference is empty: give the incident, case or meeting number this look-up is for, e.g. INC-2026-004512.",
      "purpose.reference",
    );
  }
  if (reference.length > 100 || hasControlCharacters(reference))
    throw badInput("purpose.reference must be one line of at most 100 characters.", "purpose.reference");
  const agreement = purpose.agreement?.trim() || null;
  if (agreement && (agreement.length > 200 || hasControlCharacters(agreement)))
    throw badInput("purpose.agreement must be one line of at most 200 characters.", "purpose.agreement");
  const accepted = { code: purpose.code, reference, agreement };
  const earlier = context.grant?.purpose;
  // Each agency records the request under one purpose, so a request states one.
  if (
    earlier &&
    (earlier.code !== accepted.code || earlier.reference !== reference || earlier.agreement !== agreement)
  ) {
    throw badInput(
      "This request states two different purposes: ask for each purpose in a separate request, so each look is recorded with its own.",
      "purpose",
    );
  }
  if (context.grant) context.grant.purpose = accepted;
  return accepted;
}

export function ageInYears(dateOfBirth: string, today = new Date()): number {
  const [y, m, d] = dateOfBirth.split("-").map(Number);
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age -= 1;
  return age;
}

export function mergeIdentity(id: string, subjects: AgencySubject[]) {
  const ordered = [...subjects].sort(
    (a, b) =>
      IDENTITY_PREFERENCE.indexOf(a.source.agency as AgencyCode) -
      IDENTITY_PREFERENCE.indexOf(b.source.agency as AgencyCode),
  );
  const main = ordered[0];
  const discrepancies: string[] = [];
  for (const other of ordered.slice(1)) {
    if (other.dateOfBirth !== main.dateOfBirth) {
      discrepancies.push(
        `${other.source.agency} records date of birth ${other.dateOfBirth}; ${main.source.agency} records ${main.dateOfBirth}.`,
      );
    }
    if (
      other.familyName.toLowerCase() !== main.familyName.toLowerCase() ||
      other.givenName.toLowerCase() !== main.givenName.toLowerCase()
    ) {
      discrepancies.push(
        `${other.source.agency} records the name ${other.givenName} ${other.familyName}; ${main.source.agency} records ${main.givenName} ${main.familyName}.`,
      );
    }
  }
  return {
    id,
    nhsNumber: formatNhsNumber(id),
    givenName: main.givenName,
    familyName: main.familyName,
    knownAs: ordered.find((s) => s.knownAs)?.knownAs ?? null,
    dateOfBirth: main.dateOfBirth,
    ageYears: ageInYears(main.dateOfBirth),
    knownTo: ordered.map((s) => s.source.agency),
    identitySources: ordered.map((s) => ({ ...s, recordedAt: new Date(s.recordedAt) })),
    identityDiscrepancies: discrepancies,
  };
}

function agencyUnavailable(failed: AgencyUnavailableError[], what: string): GraphQLError {
  const names = failed.map((f) => f.agency).join(", ");
  return new GraphQLError(`${what}: ${names} did not answer, so this result may be incomplete. Try again shortly.`, {
    extensions: { code: "AGENCY_UNAVAILABLE", agencies: failed.map((f) => f.agency) },
  });
}

export function createChildIndexSchema(
  agencies: AgencyEndpoint[],
  timeoutMs: number,
  /** Fetches the planned sections with the look-up, one request per agency; without it every agency is asked. */
  readPath?: ReadPath,
): GraphQLSchema {
  async function lookUp(context: ChildIndexContext, ids: string[]) {
    const { answers, failed } = await askEveryAgency<Record<string, AgencySubject[]>>(
      agencies,
      timeoutMs,
      context,
      (a) =>
        `query Subjects($ids: [ID!]!) { subjects: ${a.queryPrefix}Subjects(nhsNumbers: $ids) { ${LOOKUP_FIELDS} } }`,
      { ids },
    );
    const byId = new Map<string, AgencySubject[]>();
    for (const { data } of answers) {
      for (const subject of data.subjects ?? []) {
        byId.set(subject.nhsNumber, [...(byId.get(subject.nhsNumber) ?? []), subject]);
        addFacts(context.grant, subject.nhsNumber, {
          missingOrRecentlyFound: subject.missingOrRecentlyFound === true,
          allocatedSocialWorker: subject.allocatedToCaller === true,
        });
      }
    }
    return { byId, failed };
  }

  const loaders = new WeakMap<
    ChildIndexContext,
    (id: string) => Promise<ReturnType<typeof mergeIdentity> | null | undefined>
  >();
  const loaderFor = (context: ChildIndexContext) => {
    let loader = loaders.get(context);
    if (!loader) {
      loader = createBatchLoader(async (ids: string[]) => {
        const { byId } = await lookUp(context, ids);
        return new Map(ids.map((id) => [id, byId.has(id) ? mergeIdentity(id, byId.get(id)!) : null]));
      });
      loaders.set(context, loader);
    }
    return loader;
  };

  const resolvers = {
    Query: {
      async child(
        _: unknown,
        args: { id: string; purpose: AccessPurposeArgument },
        context: ChildIndexContext,
        info: GraphQLResolveInfo,
      ) {
        const parsed = parseNhsNumber(args.id);
        if (!parsed.ok) throw badInput(parsed.reason, "id");
        acceptPurpose(context, args.purpose);
        context.access.childIds.add(parsed.value);
        const everyAgency = [...selectedNames(info)].some((name) => EVERY_AGENCY_FIELDS.has(name));
        const planned = readPath?.lookUpChild(context, String(info.path.key), parsed.value, everyAgency);
        const { subjects, failed } = planned
          ? await planned.then((found) => ({
              subjects: found.subjects.length > 0 ? found.subjects : undefined,
              failed: found.failed,
            }))
          : await lookUp(context, [parsed.value]).then(({ byId, failed }) => ({
              subjects: byId.get(parsed.value),
              failed,
            }));
        if (failed.length === agencies.length)
          throw agencyUnavailable(failed, "No agency could be asked about this child");
        if (!subjects) {
          // An agency that did not answer might hold the child: say so rather than report "not known".
          if (failed.length > 0) throw agencyUnavailable(failed, "No agency that answered holds this child");
          return null;
        }
        return mergeIdentity(parsed.value, subjects);
      },
      async children(
        _: unknown,
        args: {
          search: { name: string; dateOfBirth?: string | null; limit?: number | null };
          purpose: AccessPurposeArgument;
        },
        context: ChildIndexContext,
      ) {
        acceptPurpose(context, args.purpose);
        const name = args.search.name.trim();
        const limit = args.search.limit ?? 10;
        if (name.replace(/[^\p{L}\p{N}]/gu, "").length < 2) {
          throw badInput("Type at least two letters of the child's name.", "search.name");
        }
        if (name.length > 100) throw badInput("The name is longer than 100 characters: shorten it.", "search.name");
        // Names are letters, spaces, hyphens, apostrophes and full stops; anything else (digits, quotes, semicolons,
        // markup) is refused here, before any agency is asked.
        const odd = [...name].filter((c) => !/[\p{L}\p{M} '’.-]/u.test(c));
        if (odd.length > 0) {
          throw badInput(
            `A name may contain only letters, spaces, hyphens, apostrophes and full stops: remove ${[...new Set(odd)].map((c) => JSON.stringify(c)).join(", ")}.`,
            "search.name",
          );
        }
        if (!Number.isInteger(limit) || limit < 1 || limit > 50)
          throw badInput("limit must be between 1 and 50.", "search.limit");
        const dob = args.search.dateOfBirth?.trim() || null;
        if (dob && (!/^\d{4}-\d{2}-\d{2}$/.test(dob) || Number.isNaN(Date.parse(dob)))) {
          throw badInput("dateOfBirth must be a date written YYYY-MM-DD.", "search.dateOfBirth");
        }
        const { answers, failed } = await askEveryAgency<Record<string, AgencySubject[]>>(
          agencies,
          timeoutMs,
          context,
          (a) =>
            `query Search($name: String!, $dob: String, $limit: Int!) { matches: ${a.queryPrefix}SubjectSearch(name: $name, dateOfBirth: $dob, limit: $limit) { ${SUBJECT_FIELDS} } }`,
          { name, dob, limit },
        );
        if (failed.length === agencies.length) throw agencyUnavailable(failed, "No agency could be searched");
        if (failed.length > 0)
          context.warnings.push(agencyUnavailable(failed, "The search covered only the agencies that answered"));
        const byId = new Map<string, AgencySubject[]>();
        for (const { data } of answers) {
          for (const match of data.matches ?? [])
            byId.set(match.nhsNumber, [...(byId.get(match.nhsNumber) ?? []), match]);
        }
        return [...byId.entries()]
          .map(([id, subjects]) => ({
            ...mergeIdentity(id, subjects),
            score: Math.max(...subjects.map((s) => s.score ?? 0)),
          }))
          .sort(
            (a, b) =>
              b.score - a.score || b.knownTo.length - a.knownTo.length || a.familyName.localeCompare(b.familyName),
          )
          .slice(0, limit);
      },
    },
    Child: {
      async __resolveReference(reference: { id: string }, context: ChildIndexContext) {
        return (await loaderFor(context)(reference.id)) ?? null;
      },
    },
  };

  return buildSubgraphSchema([{ typeDefs: parse(CHILD_INDEX_SDL), resolvers: resolvers as never }]);
}
