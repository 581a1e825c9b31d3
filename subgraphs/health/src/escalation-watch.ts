import type { Kysely } from "kysely";
import type { ProtocolConfigs } from "@safeguarding/protocol-engine";
import { summaryChild, summaryLine, summaryTime, type SubjectTable } from "@safeguarding/kit";
import { recordEvent, type SafeguardingEvent } from "@safeguarding/shared/events";
import type { Logger } from "@safeguarding/shared/log";
import { periodic } from "@safeguarding/shared/periodic";
import { MentalHealthAssessmentStatus } from "./entities.js";
import type { HealthDatabase } from "./store.js";

/**
 * Raises MENTAL_HEALTH_ESCALATION_DUE (docs/ALERTS.md) when a request for a mental-health assessment passes its
 * escalation point: the missing-from-care protocol's MENTAL_HEALTH_ESCALATION rule for the child's area (`withinDays`
 * after the request, when the rule is enabled). No write makes this happen, time passing does, so it is checked on a
 * timer. The event and the assessment's `escalation_due_event_at` commit in one transaction: each assessment raises
 * the event once, and never without the mark or the mark without the event.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What the protocol engine counts as done (gateway/src/protocol/live.ts): a completion time, or a decline (a final
 * status with nothing left to escalate).
 */
const DONE_STATUSES: readonly string[] = [
  MentalHealthAssessmentStatus.COMPLETED,
  MentalHealthAssessmentStatus.DECLINED,
];

export type EscalationWatchLog = Pick<Logger, "info" | "error">;

export interface EscalationWatchOptions {
  db: Kysely<HealthDatabase>;
  configs: ProtocolConfigs;
  now?: () => Date;
  log: EscalationWatchLog;
  /** Called after a pass recorded events, so the outbox relay sends them now rather than at its next look. */
  onRaised?: () => void;
}

export interface EscalationWatch {
  /** One pass: records an event for every open assessment past its escalation point not yet raised; returns them. */
  checkDue(): Promise<SafeguardingEvent[]>;
  /** Runs a pass now and then every `intervalMs` after the last one ended; 0 or less does nothing. */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

export const escalationSummary = (child: SubjectTable, requestedAt: Date, withinDays: number, asOf: Date) =>
  summaryLine(
    `${summaryChild(child)}: the mental-health assessment requested at ${summaryTime(requestedAt, asOf)} is past its ` +
      `${withinDays}-day escalation point; escalate along the health escalation route.`,
  );

export function createEscalationWatch({
  db,
  configs,
  now = () => new Date(),
  log,
  onRaised,
}: EscalationWatchOptions): EscalationWatch {
  // No assessment can be due sooner than the shortest enabled rule: the query need not read younger requests.
  const enabledDays = configs.areas
    .map((area) => configs.forArea(area).rules.MENTAL_HEALTH_ESCALATION)
    .filter((rule) => rule.enabled)
    .map((rule) => rule.withinDays);
  const shortestDays = enabledDays.length > 0 ? Math.min(...enabledDays) : null;

  async function raise(
    candidate: { id: string; requested_at: string; nhs_number: string },
    withinDays: number,
    dueBy: Date,
    at: Date,
  ): Promise<SafeguardingEvent | null> {
    return db.transaction().execute(async (trx) => {
      // Claimed only while still unraised and open: a second process, or a completion since the read, wins cleanly.
      const claimed = await trx
        .updateTable("mental_health_assessments")
        .set({ escalation_due_event_at: at.toISOString() })
        .where("id", "=", candidate.id)
        .where("escalation_due_event_at", "is", null)
        .where("completed_at", "is", null)
        .where("status", "not in", [...DONE_STATUSES])
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return null;
      const child = await trx
        .selectFrom("subjects")
        .selectAll()
        .where("nhs_number", "=", candidate.nhs_number)
        .executeTakeFirstOrThrow();
      const requestedAt = new Date(candidate.requested_at);
      return recordEvent(trx, {
        kind: "MENTAL_HEALTH_ESCALATION_DUE",
        agency: "HEALTH",
        childId: child.nhs_number,
        area: child.area,
        occurredAt: dueBy.toISOString(),
        recordedAt: at.toISOString(),
        summary: escalationSummary(child, requestedAt, withinDays, at),
        data: { assessmentId: candidate.id, requestedAt: candidate.requested_at, dueBy: dueBy.toISOString() },
      });
    });
  }

  async function pass(): Promise<SafeguardingEvent[]> {
    if (shortestDays === null) return [];
    const at = now();
    const candidates = await db
      .selectFrom("mental_health_assessments as a")
      .innerJoin("subjects as s", "s.nhs_number", "a.nhs_number")
      .select(["a.id", "a.nhs_number", "a.requested_at", "s.area"])
      .where("a.escalation_due_event_at", "is", null)
      .where("a.completed_at", "is", null)
      .where("a.status", "not in", [...DONE_STATUSES])
      .where("a.requested_at", "<=", new Date(at.getTime() - shortestDays * DAY_MS).toISOString())
      .orderBy("a.requested_at")
      .execute();
    const raised: SafeguardingEvent[] = [];
    for (const candidate of candidates) {
      const rule = configs.forChild(candidate.area).rules.MENTAL_HEALTH_ESCALATION;
      if (!rule.enabled) continue;
      const dueBy = new Date(new Date(candidate.requested_at).getTime() + rule.withinDays * DAY_MS);
      if (dueBy.getTime() > at.getTime()) continue;
      try {
        const event = await raise(candidate, rule.withinDays, dueBy, at);
        if (event) raised.push(event);
      } catch (error) {
        // One assessment's bad record (its transaction rolled back, so it is tried again next pass) must not hold up
        // the others.
        log.error(
          { event: "escalation-due-failed", assessmentId: candidate.id, error: (error as Error).message },
          "could not record MENTAL_HEALTH_ESCALATION_DUE",
        );
      }
    }
    if (raised.length > 0) {
      log.info(
        { event: "escalation-due", count: raised.length, assessmentIds: raised.map((e) => e.data.assessmentId) },
        "mental-health assessments past their escalation point",
      );
      onRaised?.();
    }
    return raised;
  }

  const watch = periodic(pass, log, { event: "escalation-watch-failed", message: "escalation check failed" });
  return { checkDue: watch.runNow, start: watch.start, stop: watch.stop };
}
