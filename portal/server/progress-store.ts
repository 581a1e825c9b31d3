import { randomBytes, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { QuizScore } from "./course.ts";
import type { PortalUser } from "./user.ts";

interface QuizAttemptTable {
  id: string;
  /** The officer's subject at the identity provider (`demo:pc-2290`); see the 2026-12-10-002 migration. */
  officer_id: string;
  module_id: string;
  correct: number;
  total: number;
  percent: number;
  /** 1 when the attempt reached the pass mark; integer for SQLite and PostgreSQL alike. */
  passed: number;
  /** The answers as sent, JSON, so an attempt can be re-scored if a question is corrected. */
  answers: string;
  submitted_at: string;
}

interface ModuleCompletionTable {
  /** The officer's subject, as in quiz_attempt. */
  officer_id: string;
  module_id: string;
  /** The name the ID token gave at the time of completion, as printed on the certificate. */
  officer_name: string;
  attempt_id: string;
  certificate_id: string;
  percent: number;
  completed_at: string;
}

/** Everyone who has signed in to the portal, as their last ID token said: the supervisor view lists them. */
interface PortalOfficerTable {
  subject: string;
  username: string | null;
  name: string;
  organisation: string | null;
  /** The role claim's value at the last sign-in, or null. */
  role: string | null;
  first_signed_in_at: string;
  last_signed_in_at: string;
}

/** Server-side sessions and sign-ins in progress (session.ts): a hash of the cookie's id and sealed contents. */
interface PortalSessionTable {
  id_hash: string;
  kind: "sign-in" | "session";
  sealed: string;
  expires_at: string;
}

export interface PortalDatabase {
  quiz_attempt: QuizAttemptTable;
  module_completion: ModuleCompletionTable;
  portal_officer: PortalOfficerTable;
  portal_session: PortalSessionTable;
}

/** Dialect-neutral schema-builder migrations (text ISO timestamps, integer booleans). */
export const progressMigrations = {
  "2026-05-01-001-progress": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("quiz_attempt")
        .addColumn("id", "text", (column) => column.primaryKey())
        .addColumn("officer_id", "text", (column) => column.notNull())
        .addColumn("module_id", "text", (column) => column.notNull())
        .addColumn("correct", "integer", (column) => column.notNull())
        .addColumn("total", "integer", (column) => column.notNull())
        .addColumn("percent", "integer", (column) => column.notNull())
        .addColumn("passed", "integer", (column) => column.notNull())
        .addColumn("answers", "text", (column) => column.notNull())
        .addColumn("submitted_at", "text", (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex("quiz_attempt_officer_module")
        .on("quiz_attempt")
        .columns(["officer_id", "module_id"])
        .execute();
      await db.schema
        .createTable("module_completion")
        .addColumn("officer_id", "text", (column) => column.notNull())
        .addColumn("module_id", "text", (column) => column.notNull())
        .addColumn("officer_name", "text", (column) => column.notNull())
        .addColumn("attempt_id", "text", (column) => column.notNull())
        .addColumn("certificate_id", "text", (column) => column.notNull().unique())
        .addColumn("percent", "integer", (column) => column.notNull())
        .addColumn("completed_at", "text", (column) => column.notNull())
        .addPrimaryKeyConstraint("module_completion_pk", ["officer_id", "module_id"])
        .execute();
    },
  },
  "2026-12-10-001-sign-in": {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("portal_officer")
        .addColumn("subject", "text", (column) => column.primaryKey())
        .addColumn("username", "text")
        .addColumn("name", "text", (column) => column.notNull())
        .addColumn("organisation", "text")
        .addColumn("role", "text")
        .addColumn("first_signed_in_at", "text", (column) => column.notNull())
        .addColumn("last_signed_in_at", "text", (column) => column.notNull())
        .execute();
      await db.schema
        .createTable("portal_session")
        .addColumn("id_hash", "text", (column) => column.primaryKey())
        .addColumn("kind", "text", (column) => column.notNull())
        .addColumn("sealed", "text", (column) => column.notNull())
        .addColumn("expires_at", "text", (column) => column.notNull())
        .execute();
      await db.schema.createIndex("portal_session_expires_at").on("portal_session").column("expires_at").execute();
    },
  },
  /**
   * Before one sign-in, the portal signed in its own demo officers and recorded progress under their ids
   * ("pc-2290"). The identity provider holds the same people under the same ids, with the subject "demo:<id>", so
   * each old row moves to that subject, and each officer joins the supervisor's list under the name their last
   * certificate printed until they sign in again. Subjects always hold a ":" (demo:…, or a provider's own), old ids
   * never did, so running this on migrated rows changes nothing.
   */
  "2026-12-10-002-subjects": {
    async up(db: Kysely<any>): Promise<void> {
      for (const table of ["quiz_attempt", "module_completion"]) {
        await db
          .updateTable(table)
          .set({ officer_id: sql`'demo:' || officer_id` })
          .where("officer_id", "not like", "%:%")
          .execute();
      }
      const now = new Date().toISOString();
      const migrated: Array<{ officer_id: string }> = await db
        .selectFrom("quiz_attempt")
        .select("officer_id")
        .distinct()
        .where("officer_id", "like", "demo:%")
        .execute();
      for (const { officer_id: subject } of migrated) {
        const last = await db
          .selectFrom("module_completion")
          .select("officer_name")
          .where("officer_id", "=", subject)
          .orderBy("completed_at", "desc")
          .executeTakeFirst();
        await db
          .insertInto("portal_officer")
          .values({
            subject,
            username: subject.slice("demo:".length),
            name: last?.officer_name ?? subject.slice("demo:".length),
            organisation: null,
            role: null,
            first_signed_in_at: now,
            last_signed_in_at: now,
          })
          .onConflict((conflict) => conflict.column("subject").doNothing())
          .execute();
      }
    },
  },
};

export interface RecordedAttempt {
  id: string;
  moduleId: string;
  correct: number;
  total: number;
  percent: number;
  passed: boolean;
  submittedAt: string;
  /** Set when this attempt (or an earlier one) completed the module. */
  completion: Completion | null;
}

export interface Completion {
  officerId: string;
  officerName: string;
  moduleId: string;
  attemptId: string;
  certificateId: string;
  percent: number;
  completedAt: string;
}

export interface ModuleProgress {
  moduleId: string;
  attempts: number;
  bestPercent: number | null;
  lastAttemptAt: string | null;
  completion: Completion | null;
}

const certificateId = () => `SG-${randomBytes(5).toString("hex").toUpperCase()}`;

const toCompletion = (row: ModuleCompletionTable): Completion => ({
  officerId: row.officer_id,
  officerName: row.officer_name,
  moduleId: row.module_id,
  attemptId: row.attempt_id,
  certificateId: row.certificate_id,
  percent: Number(row.percent),
  completedAt: row.completed_at,
});

export interface KnownOfficer {
  subject: string;
  username: string | null;
  name: string;
  organisation: string | null;
}

export function createProgressStore(db: Kysely<PortalDatabase>, clock: () => Date = () => new Date()) {
  async function completionFor(officerId: string, moduleId: string, executor: Kysely<PortalDatabase> = db) {
    const row = await executor
      .selectFrom("module_completion")
      .selectAll()
      .where("officer_id", "=", officerId)
      .where("module_id", "=", moduleId)
      .executeTakeFirst();
    return row ? toCompletion(row) : null;
  }

  return {
    /** Stores the attempt; the first passing attempt also records the module as completed. */
    async recordAttempt(input: {
      officer: PortalUser;
      moduleId: string;
      score: QuizScore;
      answers: Record<string, string>;
    }): Promise<RecordedAttempt> {
      const submittedAt = clock().toISOString();
      const id = randomUUID();
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto("quiz_attempt")
          .values({
            id,
            officer_id: input.officer.subject,
            module_id: input.moduleId,
            correct: input.score.correct,
            total: input.score.total,
            percent: input.score.percent,
            passed: input.score.passed ? 1 : 0,
            answers: JSON.stringify(input.answers),
            submitted_at: submittedAt,
          })
          .execute();
        if (input.score.passed) {
          await trx
            .insertInto("module_completion")
            .values({
              officer_id: input.officer.subject,
              module_id: input.moduleId,
              officer_name: input.officer.name,
              attempt_id: id,
              certificate_id: certificateId(),
              percent: input.score.percent,
              completed_at: submittedAt,
            })
            .onConflict((conflict) => conflict.columns(["officer_id", "module_id"]).doNothing())
            .execute();
        }
        const completion = await completionFor(input.officer.subject, input.moduleId, trx);
        return {
          id,
          moduleId: input.moduleId,
          correct: input.score.correct,
          total: input.score.total,
          percent: input.score.percent,
          passed: input.score.passed,
          submittedAt,
          completion,
        };
      });
    },

    /** Remembers who signed in, as their ID token says, for the supervisor's list. */
    async recordSignIn(user: PortalUser): Promise<void> {
      const at = clock().toISOString();
      const latest = { username: user.username, name: user.name, organisation: user.organisation, role: user.role };
      await db
        .insertInto("portal_officer")
        .values({ subject: user.subject, ...latest, first_signed_in_at: at, last_signed_in_at: at })
        .onConflict((conflict) => conflict.column("subject").doUpdateSet({ ...latest, last_signed_in_at: at }))
        .execute();
    },

    /** Everyone who has signed in, by name. */
    async officers(): Promise<KnownOfficer[]> {
      const rows = await db
        .selectFrom("portal_officer")
        .select(["subject", "username", "name", "organisation"])
        .orderBy("name")
        .orderBy("subject")
        .execute();
      return rows;
    },

    /** Per-module progress for the given officers (all officers with any activity when omitted). */
    async progress(officerIds?: string[]): Promise<Map<string, ModuleProgress[]>> {
      let attemptsQuery = db
        .selectFrom("quiz_attempt")
        .select((eb) => [
          "officer_id",
          "module_id",
          eb.fn.countAll<number | string>().as("attempts"),
          eb.fn.max("percent").as("best_percent"),
          eb.fn.max("submitted_at").as("last_attempt_at"),
        ])
        .groupBy(["officer_id", "module_id"]);
      let completionsQuery = db.selectFrom("module_completion").selectAll();
      if (officerIds) {
        if (officerIds.length === 0) return new Map();
        attemptsQuery = attemptsQuery.where("officer_id", "in", officerIds);
        completionsQuery = completionsQuery.where("officer_id", "in", officerIds);
      }
      const [attempts, completions] = await Promise.all([attemptsQuery.execute(), completionsQuery.execute()]);
      const byOfficer = new Map<string, ModuleProgress[]>();
      for (const row of attempts) {
        const list = byOfficer.get(row.officer_id) ?? [];
        const completion = completions.find(
          (candidate) => candidate.officer_id === row.officer_id && candidate.module_id === row.module_id,
        );
        list.push({
          moduleId: row.module_id,
          attempts: Number(row.attempts),
          bestPercent: row.best_percent === null ? null : Number(row.best_percent),
          lastAttemptAt: row.last_attempt_at,
          completion: completion ? toCompletion(completion) : null,
        });
        byOfficer.set(row.officer_id, list);
      }
      return byOfficer;
    },

    completion: (officerId: string, moduleId: string) => completionFor(officerId, moduleId),
  };
}

export type ProgressStore = ReturnType<typeof createProgressStore>;
