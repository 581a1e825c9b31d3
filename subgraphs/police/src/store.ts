import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { subjectsMigration, withRecordedColumns, type RecordedColumns, type SubjectTables } from "@safeguarding/kit";

export interface MissingEpisodeTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  reported_at: string;
  reported_by: string;
  last_seen_at: string;
  last_seen_location: string;
  circumstances: string | null;
  risk_level: string;
  cse_indicators: number;
  found_at: string | null;
  found_location: string | null;
  found_by: string | null;
  returned_to: string | null;
  held_at_police_station_minutes: number | null;
  senior_manager_notified_at: string | null;
  senior_manager_notified: string | null;
}

export interface PoliceProtectionTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  started_at: string;
  ended_at: string | null;
  reason: string;
  initiating_officer: string;
  designated_officer: string;
}

export interface CseConcernTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  summary: string;
  status: string;
  officer: string;
  opened_at: string;
}

export interface WarningMarkerTable extends RecordedColumns {
  id: string;
  nhs_number: string;
  marker: string;
  detail: string;
}

export interface OfficerInCaseTable extends RecordedColumns {
  nhs_number: string;
  name: string;
  role: string;
  phone: string | null;
  email: string | null;
  team: string | null;
}

export interface PoliceDatabase extends SubjectTables {
  missing_episodes: MissingEpisodeTable;
  police_protection: PoliceProtectionTable;
  cse_concerns: CseConcernTable;
  warning_markers: WarningMarkerTable;
  officers_in_case: OfficerInCaseTable;
}

const childColumn = (c: any) => c.notNull().references("subjects.nhs_number");

export const policeMigrations: Record<string, Migration> = {
  "001_subjects": subjectsMigration,
  "002_police_records": {
    async up(db: Kysely<any>) {
      await withRecordedColumns(
        db.schema
          .createTable("missing_episodes")
          .addColumn("id", "varchar(40)", (c) => c.primaryKey())
          .addColumn("nhs_number", "varchar(10)", childColumn)
          .addColumn("reported_at", "varchar(32)", (c) => c.notNull())
          .addColumn("reported_by", "text", (c) => c.notNull())
          .addColumn("last_seen_at", "varchar(32)", (c) => c.notNull())
          .addColumn("last_seen_location", "text", (c) => c.notNull())
          .addColumn("circumstances", "text")
          .addColumn("risk_level", "varchar(16)", (c) => c.notNull())
          .addColumn("cse_indicators", "integer", (c) => c.notNull())
          .addColumn("found_at", "varchar(32)")
          .addColumn("found_location", "text")
          .addColumn("found_by", "text")
          .addColumn("returned_to", "varchar(32)")
          .addColumn("held_at_police_station_minutes", "integer")
          .addColumn("senior_manager_notified_at", "varchar(32)")
          .addColumn("senior_manager_notified", "text"),
      ).execute();
      await db.schema
        .createIndex("missing_episodes_child")
        .on("missing_episodes")
        .columns(["nhs_number", "reported_at"])
        .execute();

      await withRecordedColumns(
        db.schema
          .createTable("police_protection")
          .addColumn("id", "varchar(40)", (c) => c.primaryKey())
          .addColumn("nhs_number", "varchar(10)", childColumn)
          .addColumn("started_at", "varchar(32)", (c) => c.notNull())
          .addColumn("ended_at", "varchar(32)")
          .addColumn("reason", "text", (c) => c.notNull())
          .addColumn("initiating_officer", "text", (c) => c.notNull())
          .addColumn("designated_officer", "text", (c) => c.notNull()),
      ).execute();
      await db.schema.createIndex("police_protection_child").on("police_protection").column("nhs_number").execute();

      await withRecordedColumns(
        db.schema
          .createTable("cse_concerns")
          .addColumn("id", "varchar(40)", (c) => c.primaryKey())
          .addColumn("nhs_number", "varchar(10)", childColumn)
          .addColumn("summary", "text", (c) => c.notNull())
          .addColumn("status", "varchar(32)", (c) => c.notNull())
          .addColumn("officer", "text", (c) => c.notNull())
          .addColumn("opened_at", "varchar(32)", (c) => c.notNull()),
      ).execute();
      await db.schema.createIndex("cse_concerns_child").on("cse_concerns").column("nhs_number").execute();

      await withRecordedColumns(
        db.schema
          .createTable("warning_markers")
          .addColumn("id", "varchar(40)", (c) => c.primaryKey())
          .addColumn("nhs_number", "varchar(10)", childColumn)
          .addColumn("marker", "varchar(40)", (c) => c.notNull())
          .addColumn("detail", "text", (c) => c.notNull()),
      ).execute();
      await db.schema.createIndex("warning_markers_child").on("warning_markers").column("nhs_number").execute();

      await withRecordedColumns(
        db.schema
          .createTable("officers_in_case")
          .addColumn("nhs_number", "varchar(10)", (c) => c.primaryKey().references("subjects.nhs_number"))
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("phone", "text")
          .addColumn("email", "text")
          .addColumn("team", "text"),
      ).execute();
    },
  },
};
