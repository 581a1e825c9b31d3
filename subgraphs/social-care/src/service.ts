import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import {
  Agency,
  badInput,
  childIdArgument,
  createChildLoader,
  createKnownChildLoader,
  requireKnownChild,
  date,
  jsonList,
  notBefore,
  notInFuture,
  optionalText,
  recordedFields,
  requiredText,
  textList,
  type ContactPerson,
} from "@safeguarding/kit";
import { auditWrite, localActor, type WriteActor } from "@safeguarding/shared/request-audit";
import { type ChildFacts, type AccessGrant } from "@safeguarding/shared/identity";
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
  StrategyDiscussion,
} from "./entities.js";
import type {
  MeetingActionInput,
  RecordDecisionInput,
  RecordLegalStatusInput,
  RecordReturnInterviewInput,
  RecordRiskManagementMeetingInput,
  RecordStrategyDiscussionInput,
  RecordStrategyMinutesSharedInput,
  UpdateOutOfHoursPlanInput,
} from "./inputs.js";
import type {
  ContactTable,
  LegalStatusTable,
  OutOfHoursPlanTable,
  RiskManagementMeetingTable,
  SocialCareDatabase,
  StrategyDiscussionTable,
} from "./store.js";

export const SOCIAL_CARE_SYSTEM = "Children's social care case management system";
const recorded = (row: { department: string; recorded_at: string; recorded_by: string }) =>
  recordedFields(row, Agency.SOCIAL_CARE, SOCIAL_CARE_SYSTEM);

/** Legal statuses that only a court can make: a court must be named when one is recorded. */
const COURT_ORDERS = new Set(["C1", "C2", "D1", "E1", "L2", "L3", "J1", "J3"]);
const CHILDREN_SERVICES = "Children's Services";

type StoredAction = { action: string; owner: string; dueAt: string; doneAt: string | null };
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

function toOutOfHoursPlan(row: OutOfHoursPlanTable): OutOfHoursPlan {
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

function toStrategyDiscussion(row: StrategyDiscussionTable): StrategyDiscussion {
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

function toRiskManagementMeeting(row: RiskManagementMeetingTable): RiskManagementMeeting {
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

function toContact(row: ContactTable): CaseContact {
  return {
    ...recorded(row),
    person: { name: row.name, role: row.role, phone: row.phone, email: row.email, team: row.team },
  };
}

function checkActions(actions: readonly MeetingActionInput[], heldAt: Date): StoredAction[] {
  if (actions.length > 50) throw badInput(`actions has ${actions.length} entries; the limit is 50.`, "actions");
  return actions.map((a, i) => ({
    action: requiredText(`actions[${i}].action`, a.action, 500),
    owner: requiredText(`actions[${i}].owner`, a.owner, 200),
    dueAt: notBefore(`actions[${i}].dueAt`, a.dueAt, "the meeting time", heldAt).toISOString(),
    doneAt: null,
  }));
}

/**
 * The one place social-care data is read and written. Resolvers call this; access checks and audit attach here.
 */
export function createSocialCareService(db: Kysely<SocialCareDatabase>, now: () => Date = () => new Date()) {
  const stamp = (by: string, at: Date) => ({
    department: CHILDREN_SERVICES,
    recorded_at: at.toISOString(),
    recorded_by: by,
  });

  /** Per-request loaders: one store query per table for however many children a gateway fetch asks for. */
  function createLoaders() {
    const contacts = createChildLoader(
      (ids) => db.selectFrom("contacts").selectAll().where("nhs_number", "in", ids).execute(),
      (rows) => new Map(rows.map((row) => [row.kind, toContact(row)])),
    );
    return {
      known: createKnownChildLoader(db),
      legalStatuses: createChildLoader(
        (ids) =>
          db
            .selectFrom("legal_statuses")
            .selectAll()
            .where("nhs_number", "in", ids)
            .orderBy("started_at", "desc")
            .execute(),
        (rows) => rows.map(toLegalStatus),
      ),
      childProtectionPlans: createChildLoader(
        (ids) =>
          db
            .selectFrom("child_protection_plans")
            .selectAll()
            .where("nhs_number", "in", ids)
            .orderBy("started_at", "desc")
            .execute(),
        (rows): ChildProtectionPlan[] =>
          rows.map((row) => ({
            ...recorded(row),
            id: row.id,
            category: row.category as ChildProtectionCategory,
            term: childProtectionTerm(row.category as ChildProtectionCategory),
            startedAt: new Date(row.started_at),
            endedAt: date(row.ended_at),
          })),
      ),
      placement: createChildLoader(
        (ids) =>
          db
            .selectFrom("placements")
            .selectAll()
            .where("nhs_number", "in", ids)
            .where("ended_at", "is", null)
            .orderBy("started_at", "desc")
            .execute(),
        (rows): Placement | null => {
          const row = rows[0];
          if (!row) return null;
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
        },
      ),
      contacts,
      outOfHoursPlan: createChildLoader(
        (ids) => db.selectFrom("out_of_hours_plans").selectAll().where("nhs_number", "in", ids).execute(),
        (rows) => (rows[0] ? toOutOfHoursPlan(rows[0]) : null),
      ),
      decisions: createChildLoader(
        (ids) =>
          db.selectFrom("decisions").selectAll().where("nhs_number", "in", ids).orderBy("decided_at", "desc").execute(),
        (rows): CaseDecision[] =>
          rows.map((row) => ({
            ...recorded(row),
            id: row.id,
            decision: row.decision,
            decidedBy: row.decided_by,
            decidedAt: new Date(row.decided_at),
            appliesOutOfHours: row.applies_out_of_hours === 1,
          })),
      ),
      strategyDiscussions: createChildLoader(
        (ids) =>
          db
            .selectFrom("strategy_discussions")
            .selectAll()
            .where("nhs_number", "in", ids)
            .orderBy("held_at", "desc")
            .execute(),
        (rows) => rows.map(toStrategyDiscussion),
      ),
      riskManagementMeetings: createChildLoader(
        (ids) =>
          db
            .selectFrom("risk_management_meetings")
            .selectAll()
            .where("nhs_number", "in", ids)
            .orderBy("held_at", "desc")
            .execute(),
        (rows) => rows.map(toRiskManagementMeeting),
      ),
      returnInterviews: createChildLoader(
        (ids) =>
          db
            .selectFrom("return_interviews")
            .selectAll()
            .where("nhs_number", "in", ids)
            .orderBy("held_at", "desc")
            .execute(),
        (rows): ReturnInterview[] =>
          rows.map((row) => ({
            ...recorded(row),
            id: row.id,
            missingEpisodeId: row.missing_episode_id,
            heldAt: new Date(row.held_at),
            conductedBy: row.conducted_by,
            summary: row.summary,
          })),
      ),
      education: createChildLoader(
        (ids) => db.selectFrom("education").selectAll().where("nhs_number", "in", ids).execute(),
        (rows): Education | null =>
          rows[0]
            ? {
                ...recorded(rows[0]),
                school: rows[0].school,
                attendancePlan: rows[0].attendance_plan,
                planContact: rows[0].plan_contact,
              }
            : null,
      ),
    };
  }

  return {
    createLoaders,

    /** Whether the caller is each child's allocated social worker (matched on their email address). */
    async accessFacts(nhsNumbers: string[], grant: AccessGrant): Promise<Map<string, Partial<ChildFacts>>> {
      const email = grant.identity.email?.trim().toLowerCase();
      const rows =
        email && grant.identity.role === "SOCIAL_WORKER"
          ? await db
              .selectFrom("contacts")
              .select(["nhs_number", "email"])
              .where("nhs_number", "in", nhsNumbers)
              .where("kind", "=", "SOCIAL_WORKER")
              .execute()
          : [];
      const allocated = new Set(rows.filter((r) => r.email?.toLowerCase() === email).map((r) => r.nhs_number));
      return new Map(nhsNumbers.map((id) => [id, { allocatedSocialWorker: allocated.has(id) }]));
    },

    async recordLegalStatus(
      input: RecordLegalStatusInput,
      actor: WriteActor = localActor("social-care"),
    ): Promise<LegalStatus> {
      const at = now();
      const childId = childIdArgument(input.childId);
      notInFuture("startedAt", input.startedAt, at);
      const whoDecides = requiredText("whoDecidesWhereChildLives", input.whoDecidesWhereChildLives, 500);
      const conditions = optionalText("conditions", input.conditions);
      const court = optionalText("court", input.court, 200);
      const recordedBy = requiredText("recordedBy", input.recordedBy, 200);
      if (COURT_ORDERS.has(input.code) && !court) {
        throw badInput(`Legal status ${input.code} is made by a court: name the court in "court".`, "court");
      }
      return db.transaction().execute(async (trx) => {
        await requireKnownChild(trx, childId, "children's social care");
        const current = await trx
          .selectFrom("legal_statuses")
          .selectAll()
          .where("nhs_number", "=", childId)
          .where("ended_at", "is", null)
          .executeTakeFirst();
        if (current) {
          notBefore(
            "startedAt",
            input.startedAt,
            "the start of the current legal status",
            new Date(current.started_at),
          );
          await trx
            .updateTable("legal_statuses")
            .set({ ended_at: input.startedAt.toISOString() })
            .where("id", "=", current.id)
            .execute();
        }
        const row: LegalStatusTable = {
          id: randomUUID(),
          nhs_number: childId,
          code: input.code,
          started_at: input.startedAt.toISOString(),
          ended_at: null,
          court,
          conditions,
          who_decides: whoDecides,
          ...stamp(recordedBy, at),
        };
        await trx.insertInto("legal_statuses").values(row).execute();
        await auditWrite(trx, actor, {
          service: "social-care",
          operation: "recordLegalStatus",
          childId: childId,
          before: current ?? null,
          after: row,
        });
        return toLegalStatus(row);
      });
    },

    async updateOutOfHoursPlan(
      input: UpdateOutOfHoursPlanInput,
      actor: WriteActor = localActor("social-care"),
    ): Promise<OutOfHoursPlan> {
      const at = now();
      const childId = childIdArgument(input.childId);
      const updatedBy = requiredText("updatedBy", input.updatedBy, 200);
      if (input.whoToCall.length === 0)
        throw badInput("whoToCall is empty: list at least the on-call manager to call.", "whoToCall");
      if (input.whoToCall.length > 10)
        throw badInput("whoToCall has more than 10 people; keep the list short and in order.", "whoToCall");
      const row: OutOfHoursPlanTable = {
        nhs_number: childId,
        return_to: requiredText("returnTo", input.returnTo, 500),
        do_not_return_to: JSON.stringify(textList("doNotReturnTo", input.doNotReturnTo, 20)),
        who_to_call: JSON.stringify(
          input.whoToCall.map((p, i): ContactPerson => ({
            name: requiredText(`whoToCall[${i}].name`, p.name, 200),
            role: requiredText(`whoToCall[${i}].role`, p.role, 200),
            phone: requiredText(`whoToCall[${i}].phone`, p.phone, 40),
            email: null,
            team: null,
          })),
        ),
        legal_advice_route: requiredText("legalAdviceRoute", input.legalAdviceRoute, 1000),
        notes: optionalText("notes", input.notes),
        ...stamp(updatedBy, at),
      };
      return db.transaction().execute(async (trx) => {
        await requireKnownChild(trx, childId, "children's social care");
        const previous = await trx
          .selectFrom("out_of_hours_plans")
          .selectAll()
          .where("nhs_number", "=", childId)
          .executeTakeFirst();
        await trx.deleteFrom("out_of_hours_plans").where("nhs_number", "=", childId).execute();
        await trx.insertInto("out_of_hours_plans").values(row).execute();
        await auditWrite(trx, actor, {
          service: "social-care",
          operation: "updateOutOfHoursPlan",
          childId: childId,
          before: previous ?? null,
          after: row,
        });
        return toOutOfHoursPlan(row);
      });
    },

    async recordDecision(
      input: RecordDecisionInput,
      actor: WriteActor = localActor("social-care"),
    ): Promise<CaseDecision> {
      const at = now();
      const childId = childIdArgument(input.childId);
      notInFuture("decidedAt", input.decidedAt, at);
      const decision = requiredText("decision", input.decision);
      const decidedBy = requiredText("decidedBy", input.decidedBy, 200);
      return db.transaction().execute(async (trx) => {
        await requireKnownChild(trx, childId, "children's social care");
        const row = {
          id: randomUUID(),
          nhs_number: childId,
          decision,
          decided_by: decidedBy,
          decided_at: input.decidedAt.toISOString(),
          applies_out_of_hours: input.appliesOutOfHours ? 1 : 0,
          ...stamp(decidedBy, at),
        };
        await trx.insertInto("decisions").values(row).execute();
        await auditWrite(trx, actor, {
          service: "social-care",
          operation: "recordDecision",
          childId: childId,
          before: null,
          after: row,
        });
        return {
          ...recorded(row),
          id: row.id,
          decision,
          decidedBy,
          decidedAt: input.decidedAt,
          appliesOutOfHours: input.appliesOutOfHours,
        };
      });
    },

    async recordStrategyDiscussion(
      input: RecordStrategyDiscussionInput,
      actor: WriteActor = localActor("social-care"),
    ): Promise<StrategyDiscussion> {
      const at = now();
      const childId = childIdArgument(input.childId);
      notInFuture("heldAt", input.heldAt, at);
      const chairedBy = requiredText("chairedBy", input.chairedBy, 200);
      const agencies = textList("agenciesPresent", input.agenciesPresent, 20);
      if (new Set(agencies.map((a) => a.toLowerCase().replace(/\s+/g, " "))).size < 2) {
        throw badInput(
          "agenciesPresent must name at least two agencies: a strategy discussion is multi-agency.",
          "agenciesPresent",
        );
      }
      if (input.minutesSharedAt) {
        notInFuture("minutesSharedAt", input.minutesSharedAt, at);
        notBefore("minutesSharedAt", input.minutesSharedAt, "heldAt", input.heldAt);
      }
      const row: StrategyDiscussionTable = {
        id: randomUUID(),
        nhs_number: childId,
        held_at: input.heldAt.toISOString(),
        chaired_by: chairedBy,
        agencies_present: JSON.stringify(agencies),
        decisions: JSON.stringify(textList("decisions", input.decisions)),
        actions: JSON.stringify(checkActions(input.actions, input.heldAt)),
        minutes_shared_at: input.minutesSharedAt?.toISOString() ?? null,
        ...stamp(chairedBy, at),
      };
      return db.transaction().execute(async (trx) => {
        await requireKnownChild(trx, childId, "children's social care");
        await trx.insertInto("strategy_discussions").values(row).execute();
        await auditWrite(trx, actor, {
          service: "social-care",
          operation: "recordStrategyDiscussion",
          childId: childId,
          before: null,
          after: row,
        });
        return toStrategyDiscussion(row);
      });
    },

    async recordStrategyMinutesShared(
      input: RecordStrategyMinutesSharedInput,
      actor: WriteActor = localActor("social-care"),
    ): Promise<StrategyDiscussion> {
      const at = now();
      notInFuture("sharedAt", input.sharedAt, at);
      const recordedBy = requiredText("recordedBy", input.recordedBy, 200);
      return db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom("strategy_discussions")
          .selectAll()
          .where("id", "=", input.strategyDiscussionId)
          .executeTakeFirst();
        if (!current)
          throw badInput(
            `No strategy discussion has id ${input.strategyDiscussionId}: check the id.`,
            "strategyDiscussionId",
          );
        if (current.minutes_shared_at) {
          throw badInput(
            `The minutes of strategy discussion ${current.id} were already shared at ${current.minutes_shared_at}.`,
            "strategyDiscussionId",
          );
        }
        notBefore("sharedAt", input.sharedAt, "the time the discussion was held", new Date(current.held_at));
        const update = { minutes_shared_at: input.sharedAt.toISOString(), ...stamp(recordedBy, at) };
        await trx.updateTable("strategy_discussions").set(update).where("id", "=", current.id).execute();
        await auditWrite(trx, actor, {
          service: "social-care",
          operation: "recordStrategyMinutesShared",
          childId: current.nhs_number,
          before: current,
          after: { ...current, ...update },
        });
        return toStrategyDiscussion({ ...current, ...update });
      });
    },

    async recordRiskManagementMeeting(
      input: RecordRiskManagementMeetingInput,
      actor: WriteActor = localActor("social-care"),
    ): Promise<RiskManagementMeeting> {
      const at = now();
      const childId = childIdArgument(input.childId);
      notInFuture("heldAt", input.heldAt, at);
      const chairedBy = requiredText("chairedBy", input.chairedBy, 200);
      if (input.attendees.length === 0)
        throw badInput("attendees is empty: list who attended, with agency and role.", "attendees");
      if (input.attendees.length > 40) throw badInput("attendees has more than 40 entries.", "attendees");
      if (input.risks.length === 0)
        throw badInput("risks is empty: record at least one risk with its category, description and level.", "risks");
      if (input.risks.length > 30) throw badInput("risks has more than 30 entries.", "risks");
      if (input.nextReviewAt.getTime() <= input.heldAt.getTime()) {
        throw badInput("nextReviewAt must be after heldAt: set the date the risks will be reviewed.", "nextReviewAt");
      }
      const reason = requiredText("strategyDiscussionReason", input.strategyDiscussionReason, 1000);
      const row: RiskManagementMeetingTable = {
        id: randomUUID(),
        nhs_number: childId,
        held_at: input.heldAt.toISOString(),
        chaired_by: chairedBy,
        attendees: JSON.stringify(
          input.attendees.map((a, i): MeetingAttendee => ({
            agency: requiredText(`attendees[${i}].agency`, a.agency, 200),
            role: requiredText(`attendees[${i}].role`, a.role, 200),
            name: optionalText(`attendees[${i}].name`, a.name, 200),
          })),
        ),
        risks: JSON.stringify(
          input.risks.map((r, i): IdentifiedRisk => ({
            category: requiredText(`risks[${i}].category`, r.category, 100),
            description: requiredText(`risks[${i}].description`, r.description, 1000),
            level: r.level,
          })),
        ),
        protective_factors: JSON.stringify(textList("protectiveFactors", input.protectiveFactors, 30)),
        actions: JSON.stringify(checkActions(input.actions, input.heldAt)),
        next_review_at: input.nextReviewAt.toISOString(),
        strategy_discussion_needed: input.strategyDiscussionNeeded ? 1 : 0,
        strategy_discussion_reason: reason,
        ...stamp(chairedBy, at),
      };
      return db.transaction().execute(async (trx) => {
        await requireKnownChild(trx, childId, "children's social care");
        await trx.insertInto("risk_management_meetings").values(row).execute();
        await auditWrite(trx, actor, {
          service: "social-care",
          operation: "recordRiskManagementMeeting",
          childId: childId,
          before: null,
          after: row,
        });
        return toRiskManagementMeeting(row);
      });
    },

    async recordReturnInterview(
      input: RecordReturnInterviewInput,
      actor: WriteActor = localActor("social-care"),
    ): Promise<ReturnInterview> {
      const at = now();
      const childId = childIdArgument(input.childId);
      notInFuture("heldAt", input.heldAt, at);
      const missingEpisodeId = requiredText("missingEpisodeId", input.missingEpisodeId, 40);
      const conductedBy = requiredText("conductedBy", input.conductedBy, 200);
      const summary = optionalText("summary", input.summary);
      return db.transaction().execute(async (trx) => {
        await requireKnownChild(trx, childId, "children's social care");
        const existing = await trx
          .selectFrom("return_interviews")
          .select("id")
          .where("missing_episode_id", "=", missingEpisodeId)
          .executeTakeFirst();
        if (existing) {
          throw badInput(
            `A return interview for missing episode ${missingEpisodeId} is already recorded (${existing.id}).`,
            "missingEpisodeId",
          );
        }
        const row = {
          id: randomUUID(),
          nhs_number: childId,
          missing_episode_id: missingEpisodeId,
          held_at: input.heldAt.toISOString(),
          conducted_by: conductedBy,
          summary,
          ...stamp(conductedBy, at),
        };
        await trx.insertInto("return_interviews").values(row).execute();
        await auditWrite(trx, actor, {
          service: "social-care",
          operation: "recordReturnInterview",
          childId: childId,
          before: null,
          after: row,
        });
        return { ...recorded(row), id: row.id, missingEpisodeId, heldAt: input.heldAt, conductedBy, summary };
      });
    },
  };
}

export type SocialCareService = ReturnType<typeof createSocialCareService>;
export type SocialCareLoaders = ReturnType<SocialCareService["createLoaders"]>;
