import { IDENTITY_PREFERENCE } from "@safeguarding/shared/agencies";
import { askEveryAgency, type AgencyCallContext } from "../agencies.js";
import { mergeIdentity, SUBJECT_FIELDS, type AgencySubject } from "../subgraphs/child-index.js";
import type { AgencyEndpoint } from "../config.js";
import type { AgencyUnavailableError } from "../fetcher.js";
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
  type ReturnedTo,
  type RiskLevel,
} from "@safeguarding/protocol-engine";

/**
 * The live side of the protocol: one request per agency (its record of who the child is, and the section of the
 * child's record the protocol and action card read), mapped to the engine's facts.
 */

import type { AgencyCode } from "../config.js";

export interface SourceRef {
  agency: AgencyCode;
  system: string;
  department: string;
}

interface Provenance {
  recordedAt: string;
  source: SourceRef;
}

export interface PoliceSection {
  source: SourceRef;
  missingEpisodes: (Provenance & {
    id: string;
    status: "MISSING" | "FOUND";
    reportedAt: string;
    lastSeenAt: string;
    lastSeenLocation: string;
    riskLevel: RiskLevel;
    cseIndicators: boolean;
    foundAt: string | null;
    returnedTo: ReturnedTo | null;
    seniorManagerNotifiedAt: string | null;
  })[];
  policeProtection: (Provenance & { id: string; startedAt: string; endedAt: string | null })[];
  cseConcerns: (Provenance & {
    id: string;
    summary: string | null;
    status: string;
    officer: string | null;
    openedAt: string;
  })[];
  warningMarkers: (Provenance & { id: string; marker: string; detail: string | null })[];
}

export interface SocialCareSection {
  source: SourceRef;
  legalStatus:
    | (Provenance & {
        code: string;
        startedAt: string;
        court: string | null;
        conditions: string | null;
        whoDecidesWhereChildLives: string;
        term: { id: string } | null;
      })
    | null;
  childProtectionPlan: { startedAt: string; endedAt: string | null } | null;
  placement: (Provenance & { name: string; address: string | null; carer: string; phone: string }) | null;
  onCallManager: (Provenance & { person: { name: string; role: string; phone: string | null } }) | null;
  outOfHoursPlan:
    | (Provenance & {
        returnTo: string | null;
        doNotReturnTo: string[];
        whoToCall: { name: string; role: string; phone: string | null; team: string | null }[];
        legalAdviceRoute: string;
        notes: string | null;
        updatedAt: string;
      })
    | null;
  decisions: (Provenance & {
    id: string;
    decision: string;
    decidedBy: string;
    decidedAt: string;
    appliesOutOfHours: boolean;
  })[];
  strategyDiscussions: { id: string; heldAt: string; minutesSharedAt: string | null }[] | null;
  riskManagementMeetings: { id: string; heldAt: string }[] | null;
  returnInterviews: { id: string; missingEpisodeId: string; heldAt: string }[] | null;
}

export interface HealthSection {
  source: SourceRef;
  mentalHealthAssessments: (Provenance & {
    id: string;
    requestedAt: string;
    status: string;
    completedAt: string | null;
  })[];
  escalationRoute: {
    area: string;
    outOfHours: (Provenance & {
      position: number;
      role: string;
      contact: string;
      phone: string;
      availability: string | null;
      escalateIfNoResponseWithinMinutes: number | null;
    })[];
  } | null;
}

const SOURCE = "source { agency system department }";
const PROVENANCE = `recordedAt ${SOURCE}`;

const SECTIONS: Record<AgencyCode, string> = {
  POLICE: `police {
    ${SOURCE}
    missingEpisodes { id status reportedAt lastSeenAt lastSeenLocation riskLevel cseIndicators foundAt returnedTo seniorManagerNotifiedAt ${PROVENANCE} }
    policeProtection { id startedAt endedAt ${PROVENANCE} }
    cseConcerns { id summary status officer openedAt ${PROVENANCE} }
    warningMarkers { id marker detail ${PROVENANCE} }
  }`,
  SOCIAL_CARE: `socialCare {
    ${SOURCE}
    legalStatus { code startedAt court conditions whoDecidesWhereChildLives term { id } ${PROVENANCE} }
    childProtectionPlan { startedAt endedAt }
    placement { name address carer phone ${PROVENANCE} }
    onCallManager { person { name role phone } ${PROVENANCE} }
    outOfHoursPlan { returnTo doNotReturnTo whoToCall { name role phone team } legalAdviceRoute notes updatedAt ${PROVENANCE} }
    decisions { id decision decidedBy decidedAt appliesOutOfHours ${PROVENANCE} }
    strategyDiscussions { id heldAt minutesSharedAt }
    riskManagementMeetings { id heldAt }
    returnInterviews { id missingEpisodeId heldAt }
  }`,
  HEALTH: `health {
    ${SOURCE}
    mentalHealthAssessments { id requestedAt status completedAt ${PROVENANCE} }
    escalationRoute { area outOfHours { position role contact phone availability escalateIfNoResponseWithinMinutes ${PROVENANCE} } }
  }`,
};

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
  const { answers, failed } = await askEveryAgency<AgencyAnswer>(
    agencies,
    timeoutMs,
    context,
    (agency) => `query ProtocolFacts($ids: [ID!]!, $representations: [_Any!]!) {
      subjects: ${agency.queryPrefix}Subjects(nhsNumbers: $ids) { ${SUBJECT_FIELDS} area }
      _entities(representations: $representations) { ... on Child { ${SECTIONS[agency.agency]} } }
    }`,
    { ids: [id], representations: [{ __typename: "Child", id }] },
    // The engine reads what its rules need on the user's behalf; what it shows is checked against the user's role.
    "protocol",
  );
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
    const entity = data._entities?.[0] ?? null;
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
