import type { Kysely } from "kysely";
import {
  Agency,
  badInput,
  createBatchLoader,
  date,
  groupBy,
  recordedFields,
  rowsByChild,
  type RecordedColumns,
} from "@safeguarding/kit";
import {
  type CamhsReferral,
  type CamhsReferralStatus,
  type CamhsUrgency,
  EscalationLadder,
  type EscalationRoute,
  type EscalationStep,
  type GpPractice,
  type MentalHealthAssessment,
  type MentalHealthAssessmentStatus,
} from "./entities.js";
import type {
  CamhsReferralTable,
  EscalationStepTable,
  GpPracticeTable,
  HealthDatabase,
  MentalHealthAssessmentTable,
} from "./store.js";

/** The record as a whole; each item names the system it comes from. */
export const HEALTH_SYSTEM = "NHS records (GP and CAMHS)";
export const GP_SYSTEM = "GP clinical system";
export const CAMHS_SYSTEM = "CAMHS electronic patient record";
export const DIRECTORY_SYSTEM = "CAMHS escalation directory";

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

function toGpPractice(row: GpPracticeTable): GpPractice {
  return {
    ...recorded(row, GP_SYSTEM),
    name: row.name,
    odsCode: row.ods_code,
    phone: row.phone,
    address: row.address,
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

/** One assessment by id (a write reads it in its own transaction); an unknown id is refused naming the field. */
export async function findAssessment(db: Kysely<HealthDatabase>, id: string): Promise<MentalHealthAssessmentTable> {
  const row = await db.selectFrom("mental_health_assessments").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw badInput(`No mental-health assessment has id ${id}: check the id.`, "assessmentId");
  return row;
}

/** Everything health reads for the gateway: a child's record table by table, and the area's escalation route. */
export function createHealthReads(db: Kysely<HealthDatabase>) {
  /** Per-request loaders: one store query per table for however many children a gateway fetch asks for. */
  function createLoaders() {
    return {
      gpPractice: rowsByChild(db, "gp_practices", { map: ([row]) => (row ? toGpPractice(row) : null) }),
      camhsReferrals: rowsByChild(db, "camhs_referrals", {
        newestFirst: "referred_at",
        map: (rows) => rows.map(toCamhsReferral),
      }),
      mentalHealthAssessments: rowsByChild(db, "mental_health_assessments", {
        newestFirst: "requested_at",
        map: (rows) => rows.map(toMentalHealthAssessment),
      }),
      /** Keyed by area, not by child: children in one area share one ladder, loaded once. */
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
    assessment: (id: string) => findAssessment(db, id),

    /** Children with a mental-health assessment requested since `since`. */
    async protocolWatch(since: Date): Promise<string[]> {
      const rows = await db
        .selectFrom("mental_health_assessments")
        .select("nhs_number")
        .distinct()
        .where("requested_at", ">=", since.toISOString())
        .orderBy("nhs_number")
        .execute();
      return rows.map((r) => r.nhs_number);
    },
  };
}

export type HealthLoaders = ReturnType<ReturnType<typeof createHealthReads>["createLoaders"]>;
