import { buildSubgraphSchema } from "@apollo/subgraph";
import { GraphQLError, GraphQLScalarType, parse, valueFromASTUntyped, type GraphQLSchema } from "graphql";
import { badInput } from "@safeguarding/kit";
import { decide } from "@safeguarding/shared/policy";
import { formatNhsNumber } from "@safeguarding/shared/nhs-number";
import type { GatewayContext } from "../context.js";
import type { Glossary } from "@safeguarding/glossary";
import { buildActionCard } from "../protocol/action-card.js";
import {
  evaluateProtocol,
  ProtocolInputError,
  type ProtocolConfigs,
  type ProtocolFacts,
} from "@safeguarding/protocol-engine";
import { agencyDisplayName } from "@safeguarding/shared/agencies";
import type { AgencyCode, AgencyEndpoint } from "../config.js";
import { evaluateLiveProtocol, fetchLiveRecord, type ChildProtocol, type LiveChildRecord } from "../protocol/live.js";
import { SOURCE_SDL } from "./shared-sdl.js";

/**
 * The protocol subgraph: the missing-from-care protocol engine as a what-if query, and over each child's live
 * records from all three agencies (`Child.protocol`), plus the out-of-hours action card (`Child.actionCard`). It runs
 * inside the gateway process; it reads the agencies directly, like the child index.
 */
export const PROTOCOL_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

  scalar DateTime

  type Query {
    "What-if evaluation of the missing-from-care protocol over supplied facts, with the area's configuration (the default configuration when area is omitted)."
    evaluateProtocol(facts: ProtocolFactsInput!, area: String): [ProtocolFlag!]!
  }

  "The steps of the missing-from-care protocol the engine checks."
  enum ProtocolRule {
    RETURN_INTERVIEW
    STRATEGY_DISCUSSION
    RISK_MANAGEMENT_MEETING
    SENIOR_MANAGER_NOTIFICATION
    POLICE_PROTECTION_LIMIT
    MENTAL_HEALTH_ESCALATION
    STRATEGY_MINUTES_SHARING
  }

  "DUE: not yet late. OVERDUE: past dueBy. BREACHED: a limit has been exceeded (police protection)."
  enum ProtocolFlagStatus {
    DUE
    OVERDUE
    BREACHED
  }

  "The police risk assessment of a missing person (College of Policing APP levels)."
  enum RiskLevel {
    VERY_LOW
    LOW
    MEDIUM
    HIGH
  }

  "Where the child was taken once found."
  enum ReturnedTo {
    PLACEMENT
    FAMILY_HOME
    POLICE_STATION
    HOSPITAL
    OTHER
  }

  ${SOURCE_SDL}

  "A protocol step that is due, overdue or breached."
  type ProtocolFlag {
    rule: ProtocolRule!
    status: ProtocolFlagStatus!
    "Exact: the triggering time plus the area's threshold."
    dueBy: DateTime!
    "One plain sentence a duty manager can act on."
    reason: String!
    "The ids of the records the flag is about."
    evidence: [ID!]!
  }

  "A child's facts at one moment. Times are ISO 8601 with a time zone, e.g. 2026-11-03T14:20:00Z."
  input ProtocolFactsInput {
    "The moment to evaluate at."
    asOf: DateTime!
    "SSDA903 legal status code, e.g. C1. Context only: no default rule depends on it."
    legalStatusCode: String
    onChildProtectionPlan: Boolean
    missingEpisodes: [MissingEpisodeFactInput!] = []
    returnInterviews: [ReturnInterviewFactInput!] = []
    strategyDiscussions: [StrategyDiscussionFactInput!] = []
    riskManagementMeetings: [RiskManagementMeetingFactInput!] = []
    policeProtection: [PoliceProtectionFactInput!] = []
    mentalHealthAssessments: [MentalHealthAssessmentFactInput!] = []
  }

  input MissingEpisodeFactInput {
    id: ID!
    reportedAt: DateTime!
    foundAt: DateTime
    riskLevel: RiskLevel!
    cseIndicators: Boolean!
    returnedTo: ReturnedTo
    seniorManagerNotifiedAt: DateTime
  }

  input ReturnInterviewFactInput {
    "The id of the missing episode the interview followed."
    episodeId: ID!
    heldAt: DateTime!
  }

  input StrategyDiscussionFactInput {
    "Optional: named in evidence; strategyDiscussions[i] otherwise."
    id: ID
    heldAt: DateTime!
    minutesSharedAt: DateTime
  }

  input RiskManagementMeetingFactInput {
    id: ID
    heldAt: DateTime!
  }

  input PoliceProtectionFactInput {
    "Optional: named in evidence; policeProtection[i] otherwise."
    id: ID
    startedAt: DateTime!
    endedAt: DateTime
  }

  input MentalHealthAssessmentFactInput {
    "Optional: named in evidence; mentalHealthAssessments[i] otherwise."
    id: ID
    requestedAt: DateTime!
    completedAt: DateTime
  }

  type Child @key(fields: "id") {
    id: ID!
    "The missing-from-care protocol over the live records of police, social care and health, with the child's area configuration. Null only when it could not be evaluated at all."
    protocol: ChildProtocol
    "The one-page card for a control room or response officer who has just found the child."
    actionCard: ActionCard
  }

  type ChildProtocol {
    "Due, overdue and breached steps, soonest first."
    flags: [ProtocolFlag!]!
    evaluatedAt: DateTime!
    "The child's area, as the agencies record it."
    area: String!
    "The configuration used: the area's own, or default when the area has none."
    configuration: String!
    "False when an agency did not answer: some rules could not be checked (see notEvaluated and missingFacts)."
    complete: Boolean!
    "Rules that were not checked because the facts they need are missing. Their absence from flags means nothing."
    notEvaluated: [ProtocolRule!]!
    "The facts that are missing, and from which agency."
    missingFacts: [String!]!
    "Records that contradict each other and were left out of the check, e.g. a return interview for an episode police do not hold."
    dataProblems: [String!]
  }

  "What the card says, in the order an officer needs it. Every item names the agency it comes from."
  type ActionCard {
    generatedAt: DateTime!
    "1. Who the child is."
    child: ActionCardChild!
    "2. The legal status and what it means for the officer; null when social care hold none."
    legalStatus: ActionCardLegalStatus
    "3. Where to take the child, and where not to."
    whereToReturn: ActionCardReturn!
    "4. Who to call now, first call first."
    whoToCall: [ActionCardCall!]!
    "5. Current risks: missing now, CSE, warning markers and open protocol flags."
    risks: [ActionCardRisk!]!
    "6. Decisions already made that apply out of hours, newest first."
    decisions: [ActionCardItem!]!
    "7. If the child will not go back: what police may and may not do, and whom to call, from the glossary."
    ifChildRefuses: ActionCardGuidance
    "8. What to record: the child's wishes, who decided where the child went and when, any power used, the reference."
    record: [String!]!
    "What the card could not include, and why."
    gaps: [String!]!
  }

  type ActionCardGuidance {
    "In plain words, from the glossary."
    summary: String!
    officerMust: [String!]!
    officerMustNot: [String!]!
    call: [String!]!
    glossaryTermId: ID!
  }

  type ActionCardChild {
    "999 000 0018"
    nhsNumber: String!
    name: String!
    knownAs: String
    "YYYY-MM-DD"
    dateOfBirth: String!
    ageYears: Int!
    "When the identity record was last updated."
    asOf: DateTime!
    source: Source!
    "Where agencies disagree about the child's name or date of birth."
    discrepancies: [String!]!
  }

  type ActionCardLegalStatus {
    "SSDA903 code, e.g. C1."
    code: String!
    "The glossary's name for it, e.g. Interim care order."
    name: String!
    since: DateTime!
    court: String
    conditions: String
    whoDecidesWhereChildLives: String!
    "From the glossary."
    meaning: String
    "From the glossary: what an officer must do."
    officerMust: [String!]!
    "From the glossary: what an officer must not do."
    officerMustNot: [String!]!
    glossaryTermId: ID
    asOf: DateTime!
    source: Source!
  }

  type ActionCardReturn {
    "True while police hold an open missing episode for the child."
    childMissing: Boolean!
    missingEpisode: ActionCardItem
    "The episode closed in the last 24 hours, while police may still be taking the child back."
    recentlyFound: ActionCardItem
    "From the out-of-hours plan; shown while the child is missing and for 24 hours after the child is found."
    returnTo: ActionCardItem
    "Shown while the child is missing and for 24 hours after the child is found."
    placement: ActionCardPlacement
    doNotReturnTo: [ActionCardItem!]!
    notes: ActionCardItem
    "Why the placement address is not shown, when it is not."
    withheld: String
  }

  type ActionCardPlacement {
    name: String!
    "Null, with FORBIDDEN, for roles that may not see the placement address (health roles)."
    address: String
    carer: String!
    phone: String!
    asOf: DateTime!
    source: Source!
  }

  type ActionCardCall {
    "1 is the first call to make."
    order: Int!
    role: String!
    name: String!
    phone: String
    note: String
    asOf: DateTime!
    source: Source!
  }

  enum ActionCardRiskKind {
    MISSING_NOW
    CSE_CONCERN
    WARNING_MARKER
    PROTOCOL_FLAG
  }

  type ActionCardRisk {
    kind: ActionCardRiskKind!
    text: String!
    detail: String
    asOf: DateTime!
    source: Source!
  }

  type ActionCardItem {
    text: String!
    detail: String
    asOf: DateTime!
    source: Source!
  }
`;

/** Dates are checked in the resolvers, so a bad one gets BAD_USER_INPUT naming the field. */
const DateTime = new GraphQLScalarType({
  name: "DateTime",
  serialize: (value) => (value instanceof Date ? value.toISOString() : value),
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const MAX_FACTS = 500;

function toDate(value: unknown, field: string): Date {
  const date = typeof value === "string" && DATE_TIME.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw badInput(`${field} must be a date and time with a time zone, such as 2026-11-03T14:20:00Z.`, field);
  }
  return date;
}

type Raw = Record<string, unknown>;

function list(facts: Raw, key: string): Raw[] {
  const value = (facts[key] ?? []) as Raw[];
  if (value.length > MAX_FACTS)
    throw badInput(`facts.${key} has ${value.length} entries; the limit is ${MAX_FACTS}.`, `facts.${key}`);
  return value;
}

/** The what-if input as the engine's facts; every time is checked and named when wrong. */
export function parseFactsInput(facts: Raw): ProtocolFacts {
  const at = (key: string, i: number, field: string) => `facts.${key}[${i}].${field}`;
  const text = (value: unknown) => String(value ?? "").trim();
  const asOf = toDate(facts.asOf, "facts.asOf");
  // What-if facts describe what had happened by asOf: a later date would silently change the answer.
  const happened = (value: unknown, field: string) => {
    const date = toDate(value, field);
    if (date.getTime() > asOf.getTime()) {
      throw badInput(
        `${field} (${date.toISOString()}) is after asOf (${asOf.toISOString()}): give facts as they stood at asOf.`,
        field,
      );
    }
    return date;
  };
  const happenedIfGiven = (value: unknown, field: string) =>
    value === null || value === undefined ? null : happened(value, field);
  return {
    asOf,
    legalStatusCode: typeof facts.legalStatusCode === "string" ? facts.legalStatusCode.trim() || null : null,
    onChildProtectionPlan: typeof facts.onChildProtectionPlan === "boolean" ? facts.onChildProtectionPlan : null,
    missingEpisodes: list(facts, "missingEpisodes").map((e, i) => ({
      id: text(e.id),
      reportedAt: happened(e.reportedAt, at("missingEpisodes", i, "reportedAt")),
      foundAt: happenedIfGiven(e.foundAt, at("missingEpisodes", i, "foundAt")),
      riskLevel: e.riskLevel as ProtocolFacts["missingEpisodes"][number]["riskLevel"],
      cseIndicators: e.cseIndicators === true,
      returnedTo: (e.returnedTo ?? null) as ProtocolFacts["missingEpisodes"][number]["returnedTo"],
      seniorManagerNotifiedAt: happenedIfGiven(
        e.seniorManagerNotifiedAt,
        at("missingEpisodes", i, "seniorManagerNotifiedAt"),
      ),
    })),
    returnInterviews: list(facts, "returnInterviews").map((r, i) => ({
      episodeId: text(r.episodeId),
      heldAt: happened(r.heldAt, at("returnInterviews", i, "heldAt")),
    })),
    strategyDiscussions: list(facts, "strategyDiscussions").map((d, i) => ({
      id: d.id ? text(d.id) : null,
      heldAt: happened(d.heldAt, at("strategyDiscussions", i, "heldAt")),
      minutesSharedAt: happenedIfGiven(d.minutesSharedAt, at("strategyDiscussions", i, "minutesSharedAt")),
    })),
    riskManagementMeetings: list(facts, "riskManagementMeetings").map((m, i) => ({
      id: m.id ? text(m.id) : null,
      heldAt: happened(m.heldAt, at("riskManagementMeetings", i, "heldAt")),
    })),
    policeProtection: list(facts, "policeProtection").map((p, i) => ({
      id: p.id ? text(p.id) : null,
      startedAt: happened(p.startedAt, at("policeProtection", i, "startedAt")),
      endedAt: happenedIfGiven(p.endedAt, at("policeProtection", i, "endedAt")),
    })),
    mentalHealthAssessments: list(facts, "mentalHealthAssessments").map((m, i) => ({
      id: m.id ? text(m.id) : null,
      requestedAt: happened(m.requestedAt, at("mentalHealthAssessments", i, "requestedAt")),
      completedAt: happenedIfGiven(m.completedAt, at("mentalHealthAssessments", i, "completedAt")),
    })),
  };
}

export type ProtocolContext = GatewayContext;

export interface ProtocolSubgraphDependencies {
  agencies: readonly AgencyEndpoint[];
  timeoutMs: number;
  configs: ProtocolConfigs;
  glossary: Glossary;
  now?: () => Date;
}

interface LiveAnswer {
  record: LiveChildRecord;
  protocol: ChildProtocol;
}

export function createProtocolSchema(deps: ProtocolSubgraphDependencies): GraphQLSchema {
  const now = deps.now ?? (() => new Date());
  // One fetch per child per request, shared by protocol and actionCard.
  const answers = new WeakMap<ProtocolContext, Map<string, Promise<LiveAnswer>>>();
  const warned = new WeakMap<ProtocolContext, Set<string>>();

  /**
   * The engine reads meeting records the user may not see (strategy discussions are for the professional network).
   * A flag built from one keeps its rule, status and due time, which the user needs, and loses the meeting's date
   * and id, which they may not see.
   */
  function forViewer(context: ProtocolContext, id: string, protocol: ChildProtocol): ChildProtocol {
    if (decide(context.grant, "SocialCareRecord", "strategyDiscussions", id).allowed) return protocol;
    return {
      ...protocol,
      flags: protocol.flags.map((flag) =>
        flag.rule === "STRATEGY_MINUTES_SHARING"
          ? {
              ...flag,
              evidence: [],
              reason:
                "The minutes of a strategy discussion have not been shared with every agency that attended. Children's social care hold the detail.",
            }
          : flag,
      ),
    };
  }

  function live(context: ProtocolContext, id: string): Promise<LiveAnswer> {
    let perRequest = answers.get(context);
    if (!perRequest) answers.set(context, (perRequest = new Map()));
    let answer = perRequest.get(id);
    if (!answer) {
      const asOf = now();
      answer = fetchLiveRecord(deps.agencies, deps.timeoutMs, context, id, asOf).then((record) => ({
        record,
        protocol: evaluateLiveProtocol(record, deps.configs, asOf),
      }));
      perRequest.set(id, answer);
    }
    return answer;
  }

  function warnOnce(context: ProtocolContext, key: string, warning: () => GraphQLError) {
    let seen = warned.get(context);
    if (!seen) warned.set(context, (seen = new Set()));
    if (seen.has(key)) return;
    seen.add(key);
    context.warnings.push(warning());
  }

  const silentAgencies = (record: LiveChildRecord) => record.failed.map((f) => f.agency as AgencyCode);
  const names = (agencies: AgencyCode[]) => agencies.map((a) => agencyDisplayName(a)).join(" and ");

  const resolvers = {
    DateTime,
    Query: {
      evaluateProtocol(_: unknown, args: { facts: Raw; area?: string | null }) {
        try {
          return evaluateProtocol(parseFactsInput(args.facts), deps.configs.forArea(args.area));
        } catch (error) {
          if (error instanceof ProtocolInputError) throw badInput(error.message, error.field);
          throw error;
        }
      },
    },
    Child: {
      __resolveReference: (reference: { id: string }) => reference,
      async protocol(child: { id: string }, _: unknown, context: ProtocolContext) {
        const { record, protocol } = await live(context, child.id);
        if (!protocol.complete) {
          const silent = silentAgencies(record);
          warnOnce(
            context,
            `protocol:${child.id}`,
            () =>
              new GraphQLError(
                `The protocol check for ${formatNhsNumber(child.id)} is incomplete: ${names(silent)} did not answer, so ${protocol.missingFacts.join("; ")} are missing and these rules were not checked: ${protocol.notEvaluated.join(", ")}. Do not read a missing flag as a step done. Try again shortly.`,
                { extensions: { code: "AGENCY_UNAVAILABLE", agencies: silent } },
              ),
          );
        }
        return forViewer(context, child.id, protocol);
      },
      async actionCard(child: { id: string }, _: unknown, context: ProtocolContext) {
        const { record, protocol } = await live(context, child.id);
        if (!record.identity) return null;
        const silent = silentAgencies(record);
        if (silent.length > 0) {
          warnOnce(
            context,
            `card:${child.id}`,
            () =>
              new GraphQLError(
                `The action card for ${formatNhsNumber(child.id)} is incomplete: ${names(silent)} did not answer. Its gaps list says what is missing. Try again shortly.`,
                { extensions: { code: "AGENCY_UNAVAILABLE", agencies: silent } },
              ),
          );
        }
        const canSee = (typeName: string, fieldName: string) =>
          decide(context.grant, typeName, fieldName, child.id).allowed;
        return buildActionCard(
          record,
          forViewer(context, child.id, protocol),
          deps.glossary,
          protocol.evaluatedAt,
          canSee,
          context.grant?.purpose?.reference ?? null,
        );
      },
    },
  };

  return buildSubgraphSchema([{ typeDefs: parse(PROTOCOL_SDL), resolvers: resolvers as never }]);
}
