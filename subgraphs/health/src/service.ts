import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import {
  Agency,
  badInput,
  childIdArgument,
  createBatchLoader,
  createChildLoader,
  requireKnownChild,
  date,
  groupBy,
  notBefore,
  notInFuture,
  optionalText,
  recordedFields,
  requiredText,
  type RecordedColumns,
  type SubjectTable,
} from "@safeguarding/kit";
import { auditWrite, localActor, type WriteActor } from "@safeguarding/shared/request-audit";
import {
  type CamhsReferral,
  CamhsReferralStatus,
  CamhsUrgency,
  EscalationLadder,
  type EscalationRoute,
  type EscalationStep,
  type GpPractice,
  type MentalHealthAssessment,
  MentalHealthAssessmentStatus,
} from "./entities.js";
import type { CamhsReferralTable, EscalationStepTable, HealthDatabase, MentalHealthAssessmentTable } from "./store.js";

/** The record as a whole; each item names the system it comes from. */
export const HEALTH_SYSTEM = "NHS records (GP and CAMHS)";
export const GP_SYSTEM = "GP clinical system";
export const CAMHS_SYSTEM = "CAMHS electronic patient record";
export const DIRECTORY_SYSTEM = "CAMHS escalation directory";
/** The team that receives referrals and assessment requests written through this service. */
export const CAMHS_ACCESS_TEAM = "CAMHS single point of access";

const NAME_LIMIT = 200;
const MAX_SCHEDULE_AHEAD_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;
const FINAL_STATUSES: readonly string[] = [
  MentalHealthAssessmentStatus.COMPLETED,
  MentalHealthAssessmentStatus.DECLINED,
];

const recorded = (row: RecordedColumns, system: string) => recordedFields(row, Agency.HEALTH, system);

export function toCamhsReferral(row: CamhsReferralTable): CamhsReferral {
  return {
    ...recorded(row, CAMHS_SYSTEM),
    nhsNumber: row.nhs_number,
    id: row.id,
    referredAt: new Date(row.referred_at),
    referredBy: row.referred_by,
    reason: row.reason,
    urgency: row.urgency as CamhsUrgency,
    status: row.status as CamhsReferralStatus,
  };
}

export function toMentalHealthAssessment(row: MentalHealthAssessmentTable): MentalHealthAssessment {
  return {
    ...recorded(row, CAMHS_SYSTEM),
    nhsNumber: row.nhs_number,
    id: row.id,
    requestedAt: new Date(row.requested_at),
    requestedBy: row.requested_by,
    reason: row.reason,
    status: row.status as MentalHealthAssessmentStatus,
    scheduledFor: date(row.scheduled_for),
    completedAt: date(row.completed_at),
    outcomeSummary: row.outcome_summary,
  };
}

function toEscalationStep(row: EscalationStepTable): EscalationStep {
  return {
    ...recorded(row, DIRECTORY_SYSTEM),
    position: row.position,
    role: row.role,
    contact: row.contact,
    phone: row.phone,
    availability: row.availability,
    escalateIfNoResponseWithinMinutes: row.escalate_after_minutes,
  };
}

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
 * The one place health data is read and written. Resolvers call this; access checks and audit attach here.
 */
async function findAssessment(db: Kysely<HealthDatabase>, id: string): Promise<MentalHealthAssessmentTable> {
  const row = await db.selectFrom("mental_health_assessments").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw badInput(`No mental-health assessment has id ${id}: check the id.`, "assessmentId");
  return row;
}

export function createHealthService(db: Kysely<HealthDatabase>, now: () => Date = () => new Date()) {
  /** Per-request loaders: one store query per table for however many children a gateway fetch asks for. */
  function createLoaders() {
    return {
      /** The child's area if health knows the child; undefined otherwise. */
      subject: createBatchLoader(async (ids: string[]) => {
        const rows = await db
          .selectFrom("subjects")
          .select(["nhs_number", "area"])
          .where("nhs_number", "in", ids)
          .execute();
        return new Map(rows.map((row) => [row.nhs_number, { area: row.area }]));
      }),
      gpPractice: createChildLoader(
        (ids) => db.selectFrom("gp_practices").selectAll().where("nhs_number", "in", ids).execute(),
        (rows): GpPractice | null => {
          const row = rows[0];
          if (!row) return null;
          return {
            ...recorded(row, GP_SYSTEM),
            name: row.name,
            odsCode: row.ods_code,
            phone: row.phone,
            address: row.address,
          };
        },
      ),
      camhsReferrals: createChildLoader(
        (ids) =>
          db
            .selectFrom("camhs_referrals")
            .selectAll()
            .where("nhs_number", "in", ids)
            .orderBy("referred_at", "desc")
            .execute(),
        (rows) => rows.map(toCamhsReferral),
      ),
      mentalHealthAssessments: createChildLoader(
        (ids) =>
          db
            .selectFrom("mental_health_assessments")
            .selectAll()
            .where("nhs_number", "in", ids)
            .orderBy("requested_at", "desc")
            .execute(),
        (rows) => rows.map(toMentalHealthAssessment),
      ),
      /** Keyed by area: children in one area share one ladder, loaded once. */
      escalationRoute: createBatchLoader(async (areas: string[]) => {
        const rows = await db
          .selectFrom("escalation_steps")
          .selectAll()
          .where("area", "in", areas)
          .orderBy("area")
          .orderBy("ladder")
          .orderBy("position")
          .execute();
        const routes = new Map<string, EscalationRoute>();
        for (const [area, steps] of groupBy(rows, (row) => row.area)) {
          routes.set(area, {
            area,
            inHours: steps.filter((s) => s.ladder === EscalationLadder.IN_HOURS).map(toEscalationStep),
            outOfHours: steps.filter((s) => s.ladder === EscalationLadder.OUT_OF_HOURS).map(toEscalationStep),
          });
        }
        return routes;
      }),
    };
  }

  return {
    createLoaders,

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

    assessment: (id: string) => findAssessment(db, id),
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
export type HealthLoaders = ReturnType<HealthService["createLoaders"]>;
