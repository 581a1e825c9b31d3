import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { subjectsMigration, withRecordedColumns, type RecordedColumns, type SubjectTables } from "@safeguarding/kit";

export interface LegalStatusTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  code: string;
  started_at: string;
  ended_at: string | null;
  court: string | null;
  conditions: string | null;
  who_decides: string;
}

export interface ChildProtectionPlanTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  category: string;
  started_at: string;
  ended_at: string | null;
}

export interface PlacementTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  type_code: string;
  name: string;
  address: string;
  carer: string;
  phone: string;
  started_at: string;
  ended_at: string | null;
}

export interface ContactTable extends RecordedColumns {
  nhs_number: string;
  kind: "SOCIAL_WORKER" | "TEAM_MANAGER" | "ON_CALL_MANAGER";
  name: string;
  role: string;
  phone: string | null;
  email: string | null;
  team: string | null;
}

export interface OutOfHoursPlanTable extends RecordedColumns {
  nhs_number: string;
  return_to: string;
  do_not_return_to: string;
  who_to_call: string;
  legal_advice_route: string;
  notes: string | null;
}

export interface DecisionTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  decision: string;
  decided_by: string;
  decided_at: string;
  applies_out_of_hours: number;
}

export interface StrategyDiscussionTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  held_at: string;
  chaired_by: string;
  agencies_present: string;
  decisions: string;
  actions: string;
  minutes_shared_at: string | null;
}

export interface RiskManagementMeetingTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  held_at: string;
  chaired_by: string;
  attendees: string;
  risks: string;
  protective_factors: string;
  actions: string;
  next_review_at: string;
  strategy_discussion_needed: number;
  strategy_discussion_reason: string | null;
}

export interface ReturnInterviewTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  missing_episode_id: string;
  held_at: string;
  conducted_by: string;
  summary: string | null;
}

export interface EducationTable extends RecordedColumns {
  nhs_number: string;
  school: string;
  attendance_plan: string | null;
  plan_contact: string | null;
}

export interface SocialCareDatabase extends SubjectTables {
  legal_statuses: LegalStatusTable;
  child_protection_plans: ChildProtectionPlanTable;
  placements: PlacementTable;
  contacts: ContactTable;
  out_of_hours_plans: OutOfHoursPlanTable;
  decisions: DecisionTable;
  strategy_discussions: StrategyDiscussionTable;
  risk_management_meetings: RiskManagementMeetingTable;
  return_interviews: ReturnInterviewTable;
  education: EducationTable;
}

const child = (c: any) => c.notNull().references("subjects.nhs_number");
const childKey = (c: any) => c.primaryKey().references("subjects.nhs_number");
const id = (c: any) => c.primaryKey();
const required = (c: any) => c.notNull();

export const socialCareMigrations: Record<string, Migration> = {
  "001_subjects": subjectsMigration,
  "002_social_care_records": {
    async up(db: Kysely<any>) {
      const table = (name: string) => db.schema.createTable(name);
      const index = (table: string, column: string) =>
        db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute();

      await withRecordedColumns(
        table("legal_statuses")
          .addColumn("id", "varchar(40)", id)
          .addColumn("nhs_number", "varchar(10)", child)
          .addColumn("code", "varchar(4)", required)
          .addColumn("started_at", "varchar(32)", required)
          .addColumn("ended_at", "varchar(32)")
          .addColumn("court", "text")
          .addColumn("conditions", "text")
          .addColumn("who_decides", "text", required),
      ).execute();
      await index("legal_statuses", "nhs_number");

      await withRecordedColumns(
        table("child_protection_plans")
          .addColumn("id", "varchar(40)", id)
          .addColumn("nhs_number", "varchar(10)", child)
          .addColumn("category", "varchar(4)", required)
          .addColumn("started_at", "varchar(32)", required)
          .addColumn("ended_at", "varchar(32)"),
      ).execute();
      await index("child_protection_plans", "nhs_number");

      await withRecordedColumns(
        table("placements")
          .addColumn("id", "varchar(40)", id)
          .addColumn("nhs_number", "varchar(10)", child)
          .addColumn("type_code", "varchar(4)", required)
          .addColumn("name", "text", required)
          .addColumn("address", "text", required)
          .addColumn("carer", "text", required)
          .addColumn("phone", "text", required)
          .addColumn("started_at", "varchar(32)", required)
          .addColumn("ended_at", "varchar(32)"),
      ).execute();
      await index("placements", "nhs_number");

      await withRecordedColumns(
        table("contacts")
          .addColumn("nhs_number", "varchar(10)", child)
          .addColumn("kind", "varchar(20)", required)
          .addColumn("name", "text", required)
          .addColumn("role", "text", required)
          .addColumn("phone", "text")
          .addColumn("email", "text")
          .addColumn("team", "text")
          .addPrimaryKeyConstraint("contacts_pk", ["nhs_number", "kind"]),
      ).execute();

      await withRecordedColumns(
        table("out_of_hours_plans")
          .addColumn("nhs_number", "varchar(10)", childKey)
          .addColumn("return_to", "text", required)
          .addColumn("do_not_return_to", "text", required)
          .addColumn("who_to_call", "text", required)
          .addColumn("legal_advice_route", "text", required)
          .addColumn("notes", "text"),
      ).execute();

      await withRecordedColumns(
        table("decisions")
          .addColumn("id", "varchar(40)", id)
          .addColumn("nhs_number", "varchar(10)", child)
          .addColumn("decision", "text", required)
          .addColumn("decided_by", "text", required)
          .addColumn("decided_at", "varchar(32)", required)
          .addColumn("applies_out_of_hours", "integer", required),
      ).execute();
      await index("decisions", "nhs_number");

      await withRecordedColumns(
        table("strategy_discussions")
          .addColumn("id", "varchar(40)", id)
          .addColumn("nhs_number", "varchar(10)", child)
          .addColumn("held_at", "varchar(32)", required)
          .addColumn("chaired_by", "text", required)
          .addColumn("agencies_present", "text", required)
          .addColumn("decisions", "text", required)
          .addColumn("actions", "text", required)
          .addColumn("minutes_shared_at", "varchar(32)"),
      ).execute();
      await index("strategy_discussions", "nhs_number");

      await withRecordedColumns(
        table("risk_management_meetings")
          .addColumn("id", "varchar(40)", id)
          .addColumn("nhs_number", "varchar(10)", child)
          .addColumn("held_at", "varchar(32)", required)
          .addColumn("chaired_by", "text", required)
          .addColumn("attendees", "text", required)
          .addColumn("risks", "text", required)
          .addColumn("protective_factors", "text", required)
          .addColumn("actions", "text", required)
          .addColumn("next_review_at", "varchar(32)", required)
          .addColumn("strategy_discussion_needed", "integer", required)
          .addColumn("strategy_discussion_reason", "text"),
      ).execute();
      await index("risk_management_meetings", "nhs_number");

      await withRecordedColumns(
        table("return_interviews")
          .addColumn("id", "varchar(40)", id)
          .addColumn("nhs_number", "varchar(10)", child)
          .addColumn("missing_episode_id", "varchar(40)", required)
          .addColumn("held_at", "varchar(32)", required)
          .addColumn("conducted_by", "text", required)
          .addColumn("summary", "text"),
      ).execute();
      await index("return_interviews", "nhs_number");

      await withRecordedColumns(
        table("education")
          .addColumn("nhs_number", "varchar(10)", childKey)
          .addColumn("school", "text", required)
          .addColumn("attendance_plan", "text")
          .addColumn("plan_contact", "text"),
      ).execute();
    },
  },
};
