import { IDENTITY_PREFERENCE } from "@safeguarding/shared/agencies";
import { askEveryAgency, type AgencyCallContext } from "../agencies.js";
import { mergeIdentity, SUBJECT_FIELDS, type AgencySubject } from "../subgraphs/child-index.js";
import type { AgencyCode, AgencyEndpoint } from "../config.js";
import type { AgencyUnavailableError } from "../fetcher.js";
import {
  HealthProtocolFactsFragmentDoc,
  PoliceProtocolFactsFragmentDoc,
  SocialCareProtocolFactsFragmentDoc,
  type HealthProtocolFactsFragment,
  type PoliceProtocolFactsFragment,
  type ProtocolSourceFragment,
  type SocialCareProtocolFactsFragment,
} from "../generated/graphql.js";
import type { ProtocolConfig, ProtocolConfigs } from "@safeguarding/protocol-engine";
import {
  evaluateProtocol,
  findInconsistencies,
  PROTOCOL_RULES,
  RULE_AGENCIES,
  type FactCollection,
  type ProtocolFacts,
  type ProtocolFlag,
  type ProtocolRule,
} from "@safeguarding/protocol-engine";

/**
 * The live side of the protocol: one request per agency (its record of who the child is, and the section of the
 * child's record the protocol and action card read), mapped to the engine's facts. What each section read selects,
 * and its type, come from the fragments in facts.graphql, generated against the API schema at build time.
 */

export type SourceRef = ProtocolSourceFragment;
export type PoliceSection = PoliceProtocolFactsFragment;
export type SocialCareSection = SocialCareProtocolFactsFragment;
export type HealthSection = HealthProtocolFactsFragment;

/** Each agency's fragment on its section of `Child`, as sent on the wire (with the fragments it spreads). */
const SECTION_FACTS: Record<AgencyCode, { document: string; fragment: string }> = {
  POLICE: sectionFacts(PoliceProtocolFactsFragmentDoc),
  SOCIAL_CARE: sectionFacts(SocialCareProtocolFactsFragmentDoc),
  HEALTH: sectionFacts(HealthProtocolFactsFragmentDoc),
};

function sectionFacts(document: { toString(): string; __meta__?: Record<string, unknown> }) {
  const fragment = document.__meta__?.fragmentName;
  if (typeof fragment !== "string") throw new Error("A protocol facts document is not a named fragment.");
  return { document: document.toString(), fragment };
}

/**
 * The query that reads one agency's facts: its subject records (the index's @inaccessible query, which is not in the
 * API schema and so not in a typed document) and its section of the child through `_entities`.
 */
export function protocolFactsQuery(agency: Pick<AgencyEndpoint, "agency" | "queryPrefix" | "section">): string {
  const { document, fragment } = SECTION_FACTS[agency.agency];
  return `query ProtocolFacts($ids: [ID!]!, $representations: [_Any!]!) {
      subjects: ${agency.queryPrefix}Subjects(nhsNumbers: $ids) { ${SUBJECT_FIELDS} area }
      _entities(representations: $representations) { ... on Child { ${agency.section} { ...${fragment} } } }
    }
${document}`;
}

type AreaSubject = AgencySubject & { area: string };

interface AgencyAnswer {
  subjects: AreaSubject[];
  _entities: ({
    police?: PoliceSection | null;
    socialCare?: SocialCareSection | null;
    health?: HealthSection | null;
  } | null)[];
}

export interface LiveChildRecord {
  id: string;
  fetchedAt: Date;
  identity: ReturnType<typeof mergeIdentity> | null;
  /** The child's area, from social care first, then health, then police. */
  area: string | null;
  /** `undefined` when the agency did not answer; `null` when it answered and holds nothing about the child. */
  police: PoliceSection | null | undefined;
  socialCare: SocialCareSection | null | undefined;
  health: HealthSection | null | undefined;
  failed: AgencyUnavailableError[];
}

/** One request per agency for one child: the agency's identity record and the section the protocol reads. */
export async function fetchLiveRecord(
  agencies: readonly AgencyEndpoint[],
  timeoutMs: number,
  context: AgencyCallContext,
  id: string,
  now: Date,
): Promise<LiveChildRecord> {
  const [record] = await fetchLiveRecords(agencies, timeoutMs, context, [id], now);
  return record;
}

/**
 * One request per agency for several children (the protocol watch's batches): each agency's identity records and
 * sections for all of them. The records come back in the order of `ids`; an agency that did not answer is failed for
 * every one of them.
 */
export async function fetchLiveRecords(
  agencies: readonly AgencyEndpoint[],
  timeoutMs: number,
  context: AgencyCallContext,
  ids: readonly string[],
  now: Date,
): Promise<LiveChildRecord[]> {
  const { answers, failed } = await askEveryAgency<AgencyAnswer>(
    agencies,
    timeoutMs,
    context,
    protocolFactsQuery,
    { ids, representations: ids.map((id) => ({ __typename: "Child", id })) },
    // The engine reads what its rules need on the user's behalf; what it shows is checked against the user's role.
    // (The protocol watch's context signs its own grant, for nobody: watch.ts.)
    "protocol",
  );
  return ids.map((id, index) => {
    const record: LiveChildRecord = {
      id,
      fetchedAt: now,
      identity: null,
      area: null,
      police: undefined,
      socialCare: undefined,
      health: undefined,
      failed,
    };
    const subjects: AreaSubject[] = [];
    for (const { agency, data } of answers) {
      subjects.push(...(data.subjects ?? []).filter((s) => s.nhsNumber === id));
      // _entities answers in the order of the representations.
      const entity = data._entities?.[index] ?? null;
      if (agency.agency === "POLICE") record.police = entity?.police ?? null;
      if (agency.agency === "SOCIAL_CARE") record.socialCare = entity?.socialCare ?? null;
      if (agency.agency === "HEALTH") record.health = entity?.health ?? null;
    }
    if (subjects.length > 0) {
      record.identity = mergeIdentity(id, subjects);
      const byAgency = new Map(subjects.map((s) => [s.source.agency, s.area]));
      record.area = IDENTITY_PREFERENCE.map((a) => byAgency.get(a)).find((area) => area) ?? null;
    }
    return record;
  });
}

const date = (value: string) => new Date(value);
const maybeDate = (value: string | null | undefined) => (value ? new Date(value) : null);

/** The engine's facts from what the agencies answered; an agency that did not answer contributes nothing. */
export function factsFromRecord(record: LiveChildRecord, asOf: Date): ProtocolFacts {
  const police = record.police ?? null;
  const socialCare = record.socialCare ?? null;
  const health = record.health ?? null;
  const plan = socialCare?.childProtectionPlan;
  return {
    asOf,
    legalStatusCode: socialCare?.legalStatus?.code ?? null,
    onChildProtectionPlan: plan ? !plan.endedAt || date(plan.endedAt) > asOf : socialCare ? false : null,
    missingEpisodes: (police?.missingEpisodes ?? []).map((e) => ({
      id: e.id,
      reportedAt: date(e.reportedAt),
      foundAt: maybeDate(e.foundAt),
      riskLevel: e.riskLevel,
      cseIndicators: e.cseIndicators,
      returnedTo: e.returnedTo,
      seniorManagerNotifiedAt: maybeDate(e.seniorManagerNotifiedAt),
    })),
    returnInterviews: (socialCare?.returnInterviews ?? []).map((r) => ({
      episodeId: r.missingEpisodeId,
      heldAt: date(r.heldAt),
    })),
    strategyDiscussions: (socialCare?.strategyDiscussions ?? []).map((d) => ({
      id: d.id,
      heldAt: date(d.heldAt),
      minutesSharedAt: maybeDate(d.minutesSharedAt),
    })),
    riskManagementMeetings: (socialCare?.riskManagementMeetings ?? []).map((m) => ({
      id: m.id,
      heldAt: date(m.heldAt),
    })),
    policeProtection: (police?.policeProtection ?? []).map((p) => ({
      id: p.id,
      startedAt: date(p.startedAt),
      endedAt: maybeDate(p.endedAt),
    })),
    mentalHealthAssessments: (health?.mentalHealthAssessments ?? []).map((m) => ({
      id: m.id,
      requestedAt: date(m.requestedAt),
      // A declined request has been answered (and can never be completed): it closes when it was declined, so
      // the flag can be acted on and cleared; a new request starts the clock again.
      completedAt: m.status === "DECLINED" ? date(m.recordedAt) : maybeDate(m.completedAt),
    })),
  };
}

/** What each agency's silence takes out of the protocol check. */
export const FACTS_BY_AGENCY: Record<AgencyCode, string> = {
  POLICE: "missing episodes and police protection (police)",
  SOCIAL_CARE: "return interviews, strategy discussions and risk-management meetings (social care)",
  HEALTH: "mental-health assessments (health)",
};

export interface ChildProtocol {
  area: string;
  configuration: string;
  evaluatedAt: Date;
  flags: ProtocolFlag[];
  complete: boolean;
  notEvaluated: ProtocolRule[];
  missingFacts: string[];
  dataProblems: string[];
}

/**
 * The protocol over live records. A rule that reads from an agency that did not answer is not evaluated and is
 * listed, so a missing flag is never mistaken for a step done. Records that contradict each other (e.g. a return
 * interview for an episode police do not hold) are left out of the check and listed as data problems.
 */
export function evaluateLiveProtocol(record: LiveChildRecord, configs: ProtocolConfigs, asOf: Date): ChildProtocol {
  const config: ProtocolConfig = configs.forChild(record.area);
  const silent = new Set(record.failed.map((f) => f.agency as AgencyCode));
  const enabled = PROTOCOL_RULES.filter((rule) => config.rules[rule].enabled);
  const evaluated = new Set(enabled.filter((rule) => RULE_AGENCIES[rule].every((agency) => !silent.has(agency))));

  let facts = factsFromRecord(record, asOf);
  const dataProblems: string[] = [];
  for (let pass = 0; pass < 5; pass += 1) {
    const problems = findInconsistencies(facts);
    if (problems.length === 0) break;
    const drop = new Map<FactCollection, Set<number>>();
    for (const problem of problems) {
      dataProblems.push(problem.message);
      drop.set(problem.collection, (drop.get(problem.collection) ?? new Set()).add(problem.index));
    }
    const next: Record<string, unknown> = { ...facts };
    for (const [collection, indexes] of drop)
      next[collection] = (facts[collection] as unknown[]).filter((_, i) => !indexes.has(i));
    facts = next as unknown as ProtocolFacts;
  }

  return {
    area: record.area ?? config.area,
    configuration: config.area,
    evaluatedAt: asOf,
    flags: evaluateProtocol(facts, config, { rules: evaluated }),
    complete: evaluated.size === enabled.length,
    notEvaluated: enabled.filter((rule) => !evaluated.has(rule)),
    missingFacts: [...silent].map((agency) => FACTS_BY_AGENCY[agency]),
    dataProblems,
  };
}
