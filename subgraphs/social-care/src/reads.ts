import type { Kysely } from "kysely";
import { Agency, date, jsonList, recordedFields, rowsByChild, type ContactPerson } from "@safeguarding/kit";
import type { AccessGrant, ChildFacts } from "@safeguarding/shared/identity";
import { reusableQuery } from "@safeguarding/shared/store";
import { childProtectionTerm, legalStatusTerm, placementTerm } from "./entities.js";
import type {
  CaseContact,
  CaseDecision,
  ChildProtectionCategory,
  ChildProtectionPlan,
  Education,
  IdentifiedRisk,
  LegalStatus,
  LegalStatusCode,
  MeetingAction,
  MeetingAttendee,
  OutOfHoursPlan,
  Placement,
  PlacementTypeCode,
  ReturnInterview,
  RiskManagementMeeting,
  SocialCareRecord,
  StrategyDiscussion,
} from "./entities.js";
import type {
  ChildProtectionPlanTable,
  ContactTable,
  DecisionTable,
  EducationTable,
  LegalStatusTable,
  OutOfHoursPlanTable,
  PlacementTable,
  ReturnInterviewTable,
  RiskManagementMeetingTable,
  SocialCareDatabase,
  StrategyDiscussionTable,
} from "./store.js";

export const SOCIAL_CARE_SYSTEM = "Children's social care case management system";
/** The social-care section of a child social care knows: its fields resolve from the child's rows. */
export const toSocialCareRecord = (nhsNumber: string): SocialCareRecord => ({
  nhsNumber,
  source: { agency: Agency.SOCIAL_CARE, system: SOCIAL_CARE_SYSTEM, department: "Children's Services" },
});
export const recorded = (row: { department: string; recorded_at: string; recorded_by: string }) =>
  recordedFields(row, Agency.SOCIAL_CARE, SOCIAL_CARE_SYSTEM);

/** A meeting action as stored in its meeting's `actions` column. */
export type StoredAction = { action: string; owner: string; dueAt: string; doneAt: string | null };
const toActions = (json: string): MeetingAction[] =>
  jsonList<StoredAction>(json).map((a) => ({
    action: a.action,
    owner: a.owner,
    dueAt: new Date(a.dueAt),
    doneAt: date(a.doneAt),
  }));

export function toLegalStatus(row: LegalStatusTable): LegalStatus {
  return {
    ...recorded(row),
    id: row.id,
    code: row.code as LegalStatusCode,
    term: legalStatusTerm(row.code as LegalStatusCode),
    startedAt: new Date(row.started_at),
    endedAt: date(row.ended_at),
    court: row.court,
    conditions: row.conditions,
    whoDecidesWhereChildLives: row.who_decides,
  };
}

function toChildProtectionPlan(row: ChildProtectionPlanTable): ChildProtectionPlan {
  return {
    ...recorded(row),
    id: row.id,
    category: row.category as ChildProtectionCategory,
    term: childProtectionTerm(row.category as ChildProtectionCategory),
    startedAt: new Date(row.started_at),
    endedAt: date(row.ended_at),
  };
}

function toPlacement(row: PlacementTable): Placement {
  return {
    ...recorded(row),
    nhsNumber: row.nhs_number,
    id: row.id,
    typeCode: row.type_code as PlacementTypeCode,
    term: placementTerm(row.type_code as PlacementTypeCode),
    name: row.name,
    address: row.address,
    carer: row.carer,
    phone: row.phone,
    startedAt: new Date(row.started_at),
  };
}

export function toOutOfHoursPlan(row: OutOfHoursPlanTable): OutOfHoursPlan {
  return {
    ...recorded(row),
    nhsNumber: row.nhs_number,
    returnTo: row.return_to,
    doNotReturnTo: jsonList<string>(row.do_not_return_to),
    whoToCall: jsonList<ContactPerson>(row.who_to_call),
    legalAdviceRoute: row.legal_advice_route,
    notes: row.notes,
    updatedAt: new Date(row.recorded_at),
    updatedBy: row.recorded_by,
  };
}

export function toDecision(row: DecisionTable): CaseDecision {
  return {
    ...recorded(row),
    id: row.id,
    decision: row.decision,
    decidedBy: row.decided_by,
    decidedAt: new Date(row.decided_at),
    appliesOutOfHours: row.applies_out_of_hours === 1,
  };
}

export function toStrategyDiscussion(row: StrategyDiscussionTable): StrategyDiscussion {
  return {
    ...recorded(row),
    id: row.id,
    heldAt: new Date(row.held_at),
    chairedBy: row.chaired_by,
    agenciesPresent: jsonList<string>(row.agencies_present),
    decisions: jsonList<string>(row.decisions),
    actions: toActions(row.actions),
    minutesSharedAt: date(row.minutes_shared_at),
  };
}

export function toRiskManagementMeeting(row: RiskManagementMeetingTable): RiskManagementMeeting {
  return {
    ...recorded(row),
    id: row.id,
    heldAt: new Date(row.held_at),
    chairedBy: row.chaired_by,
    attendees: jsonList<MeetingAttendee>(row.attendees),
    risks: jsonList<IdentifiedRisk>(row.risks),
    protectiveFactors: jsonList<string>(row.protective_factors),
    actions: toActions(row.actions),
    nextReviewAt: new Date(row.next_review_at),
    strategyDiscussionNeeded: row.strategy_discussion_needed === 1,
    strategyDiscussionReason: row.strategy_discussion_reason,
  };
}

export function toReturnInterview(row: ReturnInterviewTable): ReturnInterview {
  return {
    ...recorded(row),
    id: row.id,
    missingEpisodeId: row.missing_episode_id,
    heldAt: new Date(row.held_at),
    conductedBy: row.conducted_by,
    summary: row.summary,
  };
}

function toContact(row: ContactTable): CaseContact {
  return {
    ...recorded(row),
    person: { name: row.name, role: row.role, phone: row.phone, email: row.email, team: row.team },
  };
}

function toEducation(row: EducationTable): Education {
  return {
    ...recorded(row),
    school: row.school,
    attendancePlan: row.attendance_plan,
    planContact: row.plan_contact,
  };
}

/** The allocated social workers' contacts of these children: asked on every read a social worker makes. */
const socialWorkerContacts = reusableQuery({
  shape: (nhsNumbers: readonly string[]) => `social workers ${nhsNumbers.length}`,
  build: (db, nhsNumbers) =>
    db
      .selectFrom("contacts")
      .select(["nhs_number", "email"])
      .where("nhs_number", "in", [...nhsNumbers])
      .where("kind", "=", "SOCIAL_WORKER"),
  parameters: (nhsNumbers) => [...nhsNumbers, "SOCIAL_WORKER"],
});

/** Everything social care reads for the gateway: a child's record, table by table, and the policy's facts. */
export function createSocialCareReads(db: Kysely<SocialCareDatabase>) {
  /** Per-request loaders: one store query per table for however many children a gateway fetch asks for. */
  function createLoaders() {
    return {
      legalStatuses: rowsByChild(db, "legal_statuses", {
        newestFirst: "started_at",
        map: (rows) => rows.map(toLegalStatus),
      }),
      childProtectionPlans: rowsByChild(db, "child_protection_plans", {
        newestFirst: "started_at",
        map: (rows) => rows.map(toChildProtectionPlan),
      }),
      placement: rowsByChild(db, "placements", {
        newestFirst: "started_at",
        whereNull: "ended_at",
        map: ([current]) => (current ? toPlacement(current) : null),
      }),
      contacts: rowsByChild(db, "contacts", { map: (rows) => new Map(rows.map((row) => [row.kind, toContact(row)])) }),
      outOfHoursPlan: rowsByChild(db, "out_of_hours_plans", { map: ([row]) => (row ? toOutOfHoursPlan(row) : null) }),
      decisions: rowsByChild(db, "decisions", { newestFirst: "decided_at", map: (rows) => rows.map(toDecision) }),
      strategyDiscussions: rowsByChild(db, "strategy_discussions", {
        newestFirst: "held_at",
        map: (rows) => rows.map(toStrategyDiscussion),
      }),
      riskManagementMeetings: rowsByChild(db, "risk_management_meetings", {
        newestFirst: "held_at",
        map: (rows) => rows.map(toRiskManagementMeeting),
      }),
      returnInterviews: rowsByChild(db, "return_interviews", {
        newestFirst: "held_at",
        map: (rows) => rows.map(toReturnInterview),
      }),
      education: rowsByChild(db, "education", { map: ([row]) => (row ? toEducation(row) : null) }),
    };
  }

  return {
    createLoaders,

    /**
     * Children with a strategy discussion held since `since`: the only protocol step social care's own records start
     * (sharing its minutes). The other steps social care owns start from police's missing episodes.
     */
    async protocolWatch(since: Date): Promise<string[]> {
      const rows = await db
        .selectFrom("strategy_discussions")
        .select("nhs_number")
        .distinct()
        .where("held_at", ">=", since.toISOString())
        .orderBy("nhs_number")
        .execute();
      return rows.map((r) => r.nhs_number);
    },

    /** Whether the caller is each child's allocated social worker (matched on their email address). */
    async accessFacts(nhsNumbers: string[], grant: AccessGrant): Promise<Map<string, Partial<ChildFacts>>> {
      const email = grant.identity.email?.trim().toLowerCase();
      const rows =
        email && grant.identity.role === "SOCIAL_WORKER"
          ? ((await socialWorkerContacts(db, nhsNumbers)) as { nhs_number: string; email: string | null }[])
          : [];
      const allocated = new Set(rows.filter((r) => r.email?.toLowerCase() === email).map((r) => r.nhs_number));
      return new Map(nhsNumbers.map((id) => [id, { allocatedSocialWorker: allocated.has(id) }]));
    },
  };
}

export type SocialCareLoaders = ReturnType<ReturnType<typeof createSocialCareReads>["createLoaders"]>;
