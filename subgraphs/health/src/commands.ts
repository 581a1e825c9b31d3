import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import {
  badInput,
  childIdArgument,
  requireKnownChild,
  notBefore,
  notInFuture,
  optionalText,
  requiredText,
  type SubjectTable,
} from "@safeguarding/kit";
import { auditWrite, localActor, type WriteActor } from "@safeguarding/shared/request-audit";
import {
  type CamhsReferral,
  CamhsReferralStatus,
  CamhsUrgency,
  type MentalHealthAssessment,
  MentalHealthAssessmentStatus,
} from "./entities.js";
import { findAssessment, toCamhsReferral, toMentalHealthAssessment } from "./reads.js";
import type { CamhsReferralTable, HealthDatabase, MentalHealthAssessmentTable } from "./store.js";

/** The team that receives referrals and assessment requests written through this service. */
export const CAMHS_ACCESS_TEAM = "CAMHS single point of access";

const NAME_LIMIT = 200;
const MAX_SCHEDULE_AHEAD_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;
const FINAL_STATUSES: readonly string[] = [
  MentalHealthAssessmentStatus.COMPLETED,
  MentalHealthAssessmentStatus.DECLINED,
];

export interface RecordCamhsReferral {
  childId: string;
  referredAt: Date;
  referredBy: string;
  reason: string;
  urgency: CamhsUrgency;
}

export interface RequestMentalHealthAssessment {
  childId: string;
  requestedAt: Date;
  requestedBy: string;
  reason: string;
}

export interface UpdateMentalHealthAssessment {
  assessmentId: string;
  status: MentalHealthAssessmentStatus;
  scheduledFor?: Date | null;
  completedAt?: Date | null;
  outcomeSummary?: string | null;
  updatedBy: string;
}

type KnownChild = Pick<SubjectTable, "nhs_number" | "date_of_birth" | "area">;

const birthOf = (child: KnownChild) => new Date(`${child.date_of_birth}T00:00:00Z`);

function validDate(field: string, value: Date): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw badInput(`${field} is not a valid date and time.`, field);
  return value;
}

function oneOf<T extends string>(field: string, value: string, allowed: Record<string, T>): T {
  const values = Object.values(allowed);
  if (!values.includes(value as T)) throw badInput(`${field} must be one of ${values.join(", ")}.`, field);
  return value as T;
}

/** Checks the fields an assessment update may carry for the status it moves to, before anything is read. */
function checkUpdateShape(input: UpdateMentalHealthAssessment, at: Date) {
  const status = oneOf("status", input.status, MentalHealthAssessmentStatus);
  const updatedBy = requiredText("updatedBy", input.updatedBy, NAME_LIMIT);
  const outcomeSummary = optionalText("outcomeSummary", input.outcomeSummary);
  const scheduledFor = input.scheduledFor ? validDate("scheduledFor", input.scheduledFor) : null;
  const completedAt = input.completedAt ? notInFuture("completedAt", input.completedAt, at) : null;

  if (scheduledFor && scheduledFor.getTime() > at.getTime() + MAX_SCHEDULE_AHEAD_DAYS * DAY_MS) {
    throw badInput(`scheduledFor is more than ${MAX_SCHEDULE_AHEAD_DAYS} days ahead: check the date.`, "scheduledFor");
  }
  if (status === MentalHealthAssessmentStatus.COMPLETED) {
    if (!completedAt)
      throw badInput("completedAt is missing: give the time the assessment was completed.", "completedAt");
    if (!outcomeSummary) throw badInput("outcomeSummary is empty: say what the assessment found.", "outcomeSummary");
  } else if (completedAt) {
    throw badInput(
      "completedAt applies only when status is COMPLETED: leave it out, or set status to COMPLETED.",
      "completedAt",
    );
  }
  if (status === MentalHealthAssessmentStatus.SCHEDULED && !scheduledFor) {
    throw badInput("scheduledFor is missing: give the date and time the assessment is booked for.", "scheduledFor");
  }
  if (
    scheduledFor &&
    (status === MentalHealthAssessmentStatus.REQUESTED || status === MentalHealthAssessmentStatus.DECLINED)
  ) {
    throw badInput(`scheduledFor does not apply when status is ${status}: leave it out.`, "scheduledFor");
  }
  if (
    outcomeSummary &&
    (status === MentalHealthAssessmentStatus.REQUESTED || status === MentalHealthAssessmentStatus.SCHEDULED)
  ) {
    throw badInput(
      `outcomeSummary does not apply when status is ${status}: add it when the assessment is completed or declined.`,
      "outcomeSummary",
    );
  }
  return { status, updatedBy, outcomeSummary, scheduledFor, completedAt };
}

/**
 * Every write health accepts: each checks its input before touching the store, and records its audit entry (with the
 * values before and after) in the same transaction as the change, so neither lands without the other.
 */
export function createHealthCommands(db: Kysely<HealthDatabase>, now: () => Date = () => new Date()) {
  return {
    async recordCamhsReferral(
      input: RecordCamhsReferral,
      actor: WriteActor = localActor("health"),
    ): Promise<CamhsReferral> {
      const at = now();
      const childId = childIdArgument(input.childId);
      const referredBy = requiredText("referredBy", input.referredBy, NAME_LIMIT);
      const reason = requiredText("reason", input.reason);
      const urgency = oneOf("urgency", input.urgency, CamhsUrgency);
      notInFuture("referredAt", input.referredAt, at);
      return db.transaction().execute(async (trx) => {
        const child = await requireKnownChild(trx, childId, "health records");
        notBefore("referredAt", input.referredAt, "the child's date of birth", birthOf(child));
        const row: CamhsReferralTable = {
          id: randomUUID(),
          nhs_number: child.nhs_number,
          referred_at: input.referredAt.toISOString(),
          referred_by: referredBy,
          reason,
          urgency,
          status: CamhsReferralStatus.RECEIVED,
          department: CAMHS_ACCESS_TEAM,
          recorded_at: at.toISOString(),
          recorded_by: referredBy,
        };
        await trx.insertInto("camhs_referrals").values(row).execute();
        await auditWrite(trx, actor, {
          service: "health",
          operation: "recordCamhsReferral",
          childId: row.nhs_number,
          before: null,
          after: row,
        });
        return toCamhsReferral(row);
      });
    },

    async requestMentalHealthAssessment(
      input: RequestMentalHealthAssessment,
      actor: WriteActor = localActor("health"),
    ): Promise<MentalHealthAssessment> {
      const at = now();
      const childId = childIdArgument(input.childId);
      const requestedBy = requiredText("requestedBy", input.requestedBy, NAME_LIMIT);
      const reason = requiredText("reason", input.reason);
      notInFuture("requestedAt", input.requestedAt, at);
      return db.transaction().execute(async (trx) => {
        const child = await requireKnownChild(trx, childId, "health records");
        notBefore("requestedAt", input.requestedAt, "the child's date of birth", birthOf(child));
        const row: MentalHealthAssessmentTable = {
          id: randomUUID(),
          nhs_number: child.nhs_number,
          requested_at: input.requestedAt.toISOString(),
          requested_by: requestedBy,
          reason,
          status: MentalHealthAssessmentStatus.REQUESTED,
          scheduled_for: null,
          completed_at: null,
          outcome_summary: null,
          escalation_due_event_at: null,
          department: CAMHS_ACCESS_TEAM,
          recorded_at: at.toISOString(),
          recorded_by: requestedBy,
        };
        await trx.insertInto("mental_health_assessments").values(row).execute();
        await auditWrite(trx, actor, {
          service: "health",
          operation: "requestMentalHealthAssessment",
          childId: row.nhs_number,
          before: null,
          after: row,
        });
        return toMentalHealthAssessment(row);
      });
    },

    async updateMentalHealthAssessment(
      input: UpdateMentalHealthAssessment,
      actor: WriteActor = localActor("health"),
    ): Promise<MentalHealthAssessment> {
      const at = now();
      const change = checkUpdateShape(input, at);
      return db.transaction().execute(async (trx) => {
        const current = await findAssessment(trx, input.assessmentId);
        if (FINAL_STATUSES.includes(current.status)) {
          throw badInput(
            `Assessment ${current.id} is already ${current.status} and cannot be changed: request a new assessment instead.`,
            "assessmentId",
          );
        }
        const requestedAt = new Date(current.requested_at);
        if (change.scheduledFor) notBefore("scheduledFor", change.scheduledFor, "requestedAt", requestedAt);
        if (change.completedAt) notBefore("completedAt", change.completedAt, "requestedAt", requestedAt);
        const update = {
          status: change.status,
          // Back to REQUESTED means the booking fell through; otherwise an earlier booking stays on record.
          scheduled_for:
            change.status === MentalHealthAssessmentStatus.REQUESTED
              ? null
              : (change.scheduledFor?.toISOString() ?? current.scheduled_for),
          completed_at: change.completedAt?.toISOString() ?? null,
          outcome_summary: change.outcomeSummary,
          recorded_at: at.toISOString(),
          recorded_by: change.updatedBy,
        };
        await trx.updateTable("mental_health_assessments").set(update).where("id", "=", current.id).execute();
        await auditWrite(trx, actor, {
          service: "health",
          operation: "updateMentalHealthAssessment",
          childId: current.nhs_number,
          before: current,
          after: { ...current, ...update },
        });
        return toMentalHealthAssessment({ ...current, ...update });
      });
    },
  };
}
