import { join } from "node:path";
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { auditMigration, type AuditTables } from "@safeguarding/shared/audit";
import { defaultDataDir } from "@safeguarding/shared/config";
import { openStore, type Store } from "@safeguarding/shared/store";

/** Every event handled, by id: a redelivered event finds its id here and raises nothing again. */
export interface EventSeenTable {
  id: string;
  kind: string;
  child_id: string;
  received_at: string;
}

/** Who social care last said holds the child's case (CARE_TEAM_CHANGED). */
export interface CareTeamTable {
  child_id: string;
  social_worker_name: string | null;
  social_worker_email: string | null;
  on_call_manager_name: string | null;
  on_call_manager_email: string | null;
  event_id: string;
  /** The event's occurredAt: a later event replaces this one only if it happened later. */
  occurred_at: string;
  updated_at: string;
}

export interface AlertTable {
  id: string;
  event_id: string;
  kind: string;
  child_id: string;
  area: string;
  summary: string;
  reason: string;
  source_agency: string;
  recipient_name: string;
  recipient_email: string;
  raised_at: string;
  /** When the event escalates if nobody has acknowledged it; null once acknowledged or with nobody left to call. */
  escalate_at: string | null;
  /** 0 for the alerts the event raised, 1, 2… for each escalation. */
  escalation_level: number;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  acknowledge_note: string | null;
}

/**
 * The email owed for an alert, written in the alert's own transaction when email is configured: the mail server being
 * down, or the service restarting, delays an email and loses none.
 */
export interface EmailDeliveryTable {
  alert_id: string;
  /** WAITING until sent (SENT) or given up on after the last retry (GAVE_UP). */
  state: "WAITING" | "SENT" | "GAVE_UP";
  attempts: number;
  /** When it is next tried. */
  next_at: string;
  last_error: string | null;
  sent_at: string | null;
}

export interface AlertsDatabase extends AuditTables {
  events_seen: EventSeenTable;
  care_teams: CareTeamTable;
  alerts: AlertTable;
  email_deliveries: EmailDeliveryTable;
}

const initial: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("events_seen")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("kind", "varchar(40)", (c) => c.notNull())
      .addColumn("child_id", "varchar(10)", (c) => c.notNull())
      .addColumn("received_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("care_teams")
      .addColumn("child_id", "varchar(10)", (c) => c.primaryKey())
      .addColumn("social_worker_name", "text")
      .addColumn("social_worker_email", "text")
      .addColumn("on_call_manager_name", "text")
      .addColumn("on_call_manager_email", "text")
      .addColumn("event_id", "varchar(36)", (c) => c.notNull())
      .addColumn("occurred_at", "varchar(32)", (c) => c.notNull())
      .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("alerts")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("event_id", "varchar(36)", (c) => c.notNull())
      .addColumn("kind", "varchar(40)", (c) => c.notNull())
      .addColumn("child_id", "varchar(10)", (c) => c.notNull())
      .addColumn("area", "text", (c) => c.notNull())
      .addColumn("summary", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("source_agency", "varchar(40)", (c) => c.notNull())
      .addColumn("recipient_name", "text", (c) => c.notNull())
      .addColumn("recipient_email", "text", (c) => c.notNull())
      .addColumn("raised_at", "varchar(32)", (c) => c.notNull())
      .addColumn("escalate_at", "varchar(32)")
      .addColumn("escalation_level", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("acknowledged_at", "varchar(32)")
      .addColumn("acknowledged_by", "text")
      .addColumn("acknowledge_note", "text")
      .addUniqueConstraint("alerts_event_recipient", ["event_id", "recipient_email"])
      .execute();
    // A user's alerts, newest first; the escalation timer's "what is past its deadline".
    await db.schema.createIndex("alerts_recipient").on("alerts").columns(["recipient_email", "raised_at"]).execute();
    await db.schema.createIndex("alerts_escalate_at").on("alerts").column("escalate_at").execute();
  },
};

const emailDeliveries: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("email_deliveries")
      .addColumn("alert_id", "varchar(36)", (c) => c.primaryKey().references("alerts.id"))
      .addColumn("state", "varchar(16)", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("next_at", "varchar(32)", (c) => c.notNull())
      .addColumn("last_error", "text")
      .addColumn("sent_at", "varchar(32)")
      .execute();
    // The notifier's question, "what is due now", answered from the index.
    await db.schema.createIndex("email_deliveries_due").on("email_deliveries").columns(["state", "next_at"]).execute();
  },
};

export const alertsMigrations: Record<string, Migration> = {
  "001_alerts": initial,
  // The service's own audit trail, after its own tables, as every agency keeps one.
  "900_audit_log": auditMigration,
  // Named after the audit log's so that a store made before it migrates in order.
  "910_email_deliveries": emailDeliveries,
};

export interface AlertsStoreOptions {
  /** A postgres:// URL selects PostgreSQL; otherwise SQLite <dataDir>/alerts.db. */
  databaseUrl?: string;
  dataDir?: string;
}

export function openAlertsStore(options: AlertsStoreOptions = {}): Promise<Store<AlertsDatabase>> {
  return openStore<AlertsDatabase>({
    name: "alerts",
    databaseUrl: options.databaseUrl,
    sqlitePath: join(options.dataDir ?? defaultDataDir(), "alerts.db"),
    migrations: alertsMigrations,
  });
}
