import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { subjectsMigration, withRecordedColumns, type RecordedColumns, type SubjectTables } from "@safeguarding/kit";

/** The GP practice the child is registered with (one per child). */
export interface GpPracticeTable extends RecordedColumns {
  nhs_number: string;
  name: string;
  ods_code: string;
  phone: string;
  address: string;
}

export interface CamhsReferralTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  referred_at: string;
  referred_by: string;
  reason: string;
  urgency: string;
  status: string;
}

export interface MentalHealthAssessmentTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  requested_at: string;
  requested_by: string;
  reason: string;
  status: string;
  scheduled_for: string | null;
  completed_at: string | null;
  outcome_summary: string | null;
  /**
   * When the escalation watch (escalation-watch.ts) wrote this assessment's MENTAL_HEALTH_ESCALATION_DUE event; null
   * until then. Set in the event's own transaction, so each assessment raises the event at most once.
   */
  escalation_due_event_at: string | null;
}

/** One rung of an area's escalation ladder: keyed by area, ladder (IN_HOURS | OUT_OF_HOURS) and position. */
export interface EscalationStepTable extends RecordedColumns {
  area: string;
  ladder: string;
  position: number;
  role: string;
  contact: string;
  phone: string;
  availability: string | null;
  escalate_after_minutes: number | null;
}

export interface HealthDatabase extends SubjectTables {
  gp_practices: GpPracticeTable;
  camhs_referrals: CamhsReferralTable;
  mental_health_assessments: MentalHealthAssessmentTable;
  escalation_steps: EscalationStepTable;
}

const childColumn = (c: any) => c.notNull().references("subjects.nhs_number");

export const healthMigrations: Record<string, Migration> = {
  "001_subjects": subjectsMigration,
  "002_health_records": {
    async up(db: Kysely<any>) {
      await withRecordedColumns(
        db.schema
          .createTable("gp_practices")
          .addColumn("nhs_number", "varchar(10)", (c) => c.primaryKey().references("subjects.nhs_number"))
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("ods_code", "varchar(10)", (c) => c.notNull())
          .addColumn("phone", "text", (c) => c.notNull())
          .addColumn("address", "text", (c) => c.notNull()),
      ).execute();

      await withRecordedColumns(
        db.schema
          .createTable("camhs_referrals")
          .addColumn("id", "varchar(40)", (c) => c.primaryKey())
          .addColumn("nhs_number", "varchar(10)", childColumn)
          .addColumn("referred_at", "varchar(32)", (c) => c.notNull())
          .addColumn("referred_by", "text", (c) => c.notNull())
          .addColumn("reason", "text", (c) => c.notNull())
          .addColumn("urgency", "varchar(16)", (c) => c.notNull())
          .addColumn("status", "varchar(32)", (c) => c.notNull()),
      ).execute();
      await db.schema
        .createIndex("camhs_referrals_child")
        .on("camhs_referrals")
        .columns(["nhs_number", "referred_at"])
        .execute();

      await withRecordedColumns(
        db.schema
          .createTable("mental_health_assessments")
          .addColumn("id", "varchar(40)", (c) => c.primaryKey())
          .addColumn("nhs_number", "varchar(10)", childColumn)
          .addColumn("requested_at", "varchar(32)", (c) => c.notNull())
          .addColumn("requested_by", "text", (c) => c.notNull())
          .addColumn("reason", "text", (c) => c.notNull())
          .addColumn("status", "varchar(32)", (c) => c.notNull())
          .addColumn("scheduled_for", "varchar(32)")
          .addColumn("completed_at", "varchar(32)")
          .addColumn("outcome_summary", "text"),
      ).execute();
      await db.schema
        .createIndex("mental_health_assessments_child")
        .on("mental_health_assessments")
        .columns(["nhs_number", "requested_at"])
        .execute();

      await withRecordedColumns(
        db.schema
          .createTable("escalation_steps")
          .addColumn("area", "varchar(64)", (c) => c.notNull())
          .addColumn("ladder", "varchar(16)", (c) => c.notNull())
          .addColumn("position", "integer", (c) => c.notNull())
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("contact", "text", (c) => c.notNull())
          .addColumn("phone", "text", (c) => c.notNull())
          .addColumn("availability", "text")
          .addColumn("escalate_after_minutes", "integer"),
      )
        .addPrimaryKeyConstraint("escalation_steps_pkey", ["area", "ladder", "position"])
        .execute();
    },
  },
  "003_escalation_due_event": {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable("mental_health_assessments")
        .addColumn("escalation_due_event_at", "varchar(32)")
        .execute();
    },
  },
};
