import { GraphQLError } from "graphql";
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import {
  badInput,
  childIdArgument,
  requireKnownChild,
  notBefore,
  notInFuture,
  optionalEmail,
  optionalText,
  requiredText,
  textList,
  type ContactPerson,
} from "@safeguarding/kit";
import { auditWrite, localActor, type WriteActor } from "@safeguarding/shared/request-audit";
import type {
  CaseDecision,
  IdentifiedRisk,
  LegalStatus,
  MeetingAttendee,
  OutOfHoursPlan,
  ReturnInterview,
  RiskManagementMeeting,
  SocialCareRecord,
  StrategyDiscussion,
} from "./entities.js";
import type {
  CaseContactInput,
  MeetingActionInput,
  RecordCareTeamInput,
  RecordDecisionInput,
  RecordLegalStatusInput,
  RecordReturnInterviewInput,
  RecordRiskManagementMeetingInput,
  RecordStrategyDiscussionInput,
  RecordStrategyMinutesSharedInput,
  UpdateOutOfHoursPlanInput,
} from "./inputs.js";
import { recordCareTeamChanged, recordSocialCareEvent, socialCareSummaries } from "./events.js";
import {
  recorded,
  toLegalStatus,
  toOutOfHoursPlan,
  toRiskManagementMeeting,
  toSocialCareRecord,
  toStrategyDiscussion,
  type StoredAction,
} from "./reads.js";
import type {
  ContactTable,
  LegalStatusTable,
  OutOfHoursPlanTable,
  RiskManagementMeetingTable,
  SocialCareDatabase,
  StrategyDiscussionTable,
} from "./store.js";

/** Legal statuses that only a court can make: a court must be named when one is recorded. */
const COURT_ORDERS = new Set(["C1", "C2", "D1", "E1", "L2", "L3", "J1", "J3"]);
const CHILDREN_SERVICES = "Children's Services";

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
 * Every write social care accepts: each checks its input before touching the store, and records its audit entry
 * (with the values before and after) and any event it raises for the alerts service (events.ts) in the same
 * transaction as the change, so none lands without the others.
 */
export function createSocialCareCommands(db: Kysely<SocialCareDatabase>, now: () => Date = () => new Date()) {
  const stamp = (by: string, at: Date) => ({
    department: CHILDREN_SERVICES,
    recorded_at: at.toISOString(),
    recorded_by: by,
  });

  return {
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
        const child = await requireKnownChild(trx, childId, "children's social care");
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
        await recordSocialCareEvent(trx, child, at, {
          kind: "LEGAL_STATUS_CHANGED",
          occurredAt: input.startedAt,
          summary: socialCareSummaries.legalStatusChanged(child, input.code, input.startedAt),
          data: { code: input.code },
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

    async recordCareTeam(
      input: RecordCareTeamInput,
      actor: WriteActor = localActor("social-care"),
    ): Promise<SocialCareRecord> {
      const at = now();
      const childId = childIdArgument(input.childId);
      const recordedBy = requiredText("recordedBy", input.recordedBy, 200);
      if (!input.socialWorker && !input.onCallManager) {
        throw badInput(
          "Give socialWorker, onCallManager or both: who the child's allocated social worker or named on-call manager now is.",
          "socialWorker",
        );
      }
      const member = (
        field: string,
        kind: ContactTable["kind"],
        person: CaseContactInput,
        role: string,
      ): ContactTable => ({
        nhs_number: childId,
        kind,
        name: requiredText(`${field}.name`, person.name, 200),
        role: optionalText(`${field}.role`, person.role, 200) ?? role,
        phone: optionalText(`${field}.phone`, person.phone, 40),
        email: optionalEmail(`${field}.email`, person.email),
        team: optionalText(`${field}.team`, person.team, 200),
        ...stamp(recordedBy, at),
      });
      const rows: ContactTable[] = [];
      if (input.socialWorker) rows.push(member("socialWorker", "SOCIAL_WORKER", input.socialWorker, "Social worker"));
      // Being a child's allocated social worker opens her clinical detail and access log to that person, so nobody
      // may allocate the child to themselves: another social worker or manager records it (and it is audited).
      const callerEmail = actor.grant.identity.email?.toLowerCase();
      if (
        actor.grant.via !== "local" &&
        callerEmail &&
        rows[0]?.kind === "SOCIAL_WORKER" &&
        rows[0].email === callerEmail
      )
        throw new GraphQLError(
          "You cannot record yourself as this child's allocated social worker: it would open her clinical detail and access log to you. Ask your team manager or another social worker to record the allocation.",
          { extensions: { code: "FORBIDDEN", field: "socialWorker.email" } },
        );
      if (input.onCallManager)
        rows.push(member("onCallManager", "ON_CALL_MANAGER", input.onCallManager, "Named on-call manager"));
      const kinds = rows.map((row) => row.kind);
      return db.transaction().execute(async (trx) => {
        await requireKnownChild(trx, childId, "children's social care");
        const previous = await trx
          .selectFrom("contacts")
          .selectAll()
          .where("nhs_number", "=", childId)
          .where("kind", "in", kinds)
          .execute();
        await trx.deleteFrom("contacts").where("nhs_number", "=", childId).where("kind", "in", kinds).execute();
        await trx.insertInto("contacts").values(rows).execute();
        await auditWrite(trx, actor, {
          service: "social-care",
          operation: "recordCareTeam",
          childId: childId,
          before: previous.length > 0 ? previous : null,
          after: rows,
        });
        // Read back from the contacts as they now are, so the event names both people, changed or not.
        await recordCareTeamChanged(trx, childId, at);
        return toSocialCareRecord(childId);
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
