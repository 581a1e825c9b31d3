import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { DemoOfficer, QuizScore } from "./course.ts";

interface QuizAttemptTable {
  id: string;
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
  officer_id: string;
  module_id: string;
  /** Name and collar number at the time of completion, as printed on the certificate. */
  officer_name: string;
  attempt_id: string;
  certificate_id: string;
  percent: number;
  completed_at: string;
}

export interface PortalDatabase {
  quiz_attempt: QuizAttemptTable;
  module_completion: ModuleCompletionTable;
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

export const officerDisplayName = (officer: DemoOfficer) => `${officer.rank} ${officer.name} (${officer.collarNumber})`;

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
      officer: DemoOfficer;
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
            officer_id: input.officer.id,
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
              officer_id: input.officer.id,
              module_id: input.moduleId,
              officer_name: officerDisplayName(input.officer),
              attempt_id: id,
              certificate_id: certificateId(),
              percent: input.score.percent,
              completed_at: submittedAt,
            })
            .onConflict((conflict) => conflict.columns(["officer_id", "module_id"]).doNothing())
            .execute();
        }
        const completion = await completionFor(input.officer.id, input.moduleId, trx);
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
