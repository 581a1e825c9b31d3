import "reflect-metadata";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Kysely } from "kysely";
import { DEMO_CHILDREN, insertSubjects, seedDemoData, subjectRow, type SubjectTables } from "@safeguarding/kit";
import { testBackends, type TestStore } from "@safeguarding/kit/testing";
import { createProtocolConfigs, loadProtocolConfigs, type ProtocolConfigs } from "@safeguarding/protocol-engine";
import { createHealthCommands } from "./commands.js";
import { PROTOCOL_CONFIG_DIR } from "./config.js";
import { healthSubgraph } from "./definition.js";
import { MentalHealthAssessmentStatus } from "./entities.js";
import { createEscalationWatch, type EscalationWatchLog } from "./escalation-watch.js";
import type { HealthDatabase } from "./store.js";

const backends = testBackends(healthSubgraph);
const configs = loadProtocolConfigs(PROTOCOL_CONFIG_DIR);

const DAY = 24 * 3600_000;
const AMBER = DEMO_CHILDREN[0];
/** Jayden, moved for these tests to an area with no protocol file of its own: default.json applies (7 days). */
const JAYDEN = { ...DEMO_CHILDREN[1], area: "west-carrow" };
// 14:00 UK time (GMT in December).
const REQUESTED_AT = new Date("2025-12-01T14:00:00.000Z");
const REASON = "Self-harm disclosed to her foster carer; low mood since the last missing episode.";

/** The protocol files as shipped, with one area's MENTAL_HEALTH_ESCALATION rule turned off. */
function withRuleDisabled(area: string): ProtocolConfigs {
  return createProtocolConfigs(
    configs.areas.map((name) => {
      const config = configs.forArea(name);
      if (name !== area) return config;
      const rules = { ...config.rules, MENTAL_HEALTH_ESCALATION: { enabled: false, withinDays: 5 } };
      return { ...config, rules };
    }),
  );
}

describe.each(backends)("the escalation watch on $name", (backend) => {
  let opened: TestStore<HealthDatabase>;
  let db: Kysely<HealthDatabase>;
  let clock: Date;
  const now = () => clock;
  const log: EscalationWatchLog = { info: vi.fn(), error: vi.fn() };
  const watch = (protocol: ProtocolConfigs = configs) => createEscalationWatch({ db, configs: protocol, now, log });

  const outbox = () =>
    db
      .selectFrom("outbox" as never)
      .selectAll()
      .execute() as Promise<{ body: string }[]>;
  const marked = async (id: string) =>
    (
      await db
        .selectFrom("mental_health_assessments")
        .select("escalation_due_event_at")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).escalation_due_event_at;

  /** A request written as health's API writes it, `daysAgo` before the clock. */
  async function request(child: { nhsNumber: string }, requestedAt: Date) {
    const commands = createHealthCommands(db, now);
    return commands.requestMentalHealthAssessment({
      childId: child.nhsNumber,
      requestedAt,
      requestedBy: "Leah Marsh, social worker",
      reason: REASON,
    });
  }

  beforeEach(async () => {
    opened = await backend.open();
    db = opened.store.db;
    clock = new Date(REQUESTED_AT.getTime() + 6 * DAY);
    vi.mocked(log.info).mockClear();
    vi.mocked(log.error).mockClear();
    await insertSubjects(
      db as unknown as Kysely<SubjectTables>,
      [AMBER, JAYDEN].map((child) => subjectRow(child, REQUESTED_AT, healthSubgraph.identityDepartment)),
    );
  });
  afterEach(async () => opened?.cleanup());

  it("raises one event for a request past its area's escalation point, once, with no clinical detail", async () => {
    const assessment = await request(AMBER, REQUESTED_AT);
    const dueBy = new Date(REQUESTED_AT.getTime() + 5 * DAY);

    const raised = await watch().checkDue();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      kind: "MENTAL_HEALTH_ESCALATION_DUE",
      agency: "HEALTH",
      childId: AMBER.nhsNumber,
      area: "north-avonvale",
      occurredAt: dueBy.toISOString(),
      recordedAt: clock.toISOString(),
      summary:
        "Amber Whitlock (999 000 0018): the mental-health assessment requested at 14:00 on 1 Dec is past its 5-day " +
        "escalation point; escalate along the health escalation route.",
      data: { assessmentId: assessment.id, requestedAt: REQUESTED_AT.toISOString(), dueBy: dueBy.toISOString() },
    });
    const rows = await outbox();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].body)).toEqual(raised[0]);
    expect(rows[0].body).not.toContain("Self-harm");
    expect(rows[0].body).not.toContain("low mood");
    expect(await marked(assessment.id)).toBe(clock.toISOString());

    clock = new Date(clock.getTime() + 3 * DAY);
    expect(await watch().checkDue()).toEqual([]);
    expect(await outbox()).toHaveLength(1);
  });

  it("raises nothing for a completed or declined assessment", async () => {
    const commands = createHealthCommands(db, now);
    const completed = await request(AMBER, REQUESTED_AT);
    await commands.updateMentalHealthAssessment({
      assessmentId: completed.id,
      status: MentalHealthAssessmentStatus.COMPLETED,
      completedAt: new Date(REQUESTED_AT.getTime() + 5.5 * DAY),
      outcomeSummary: "Seen with her carer.",
      updatedBy: "CAMHS clinician",
    });
    const declined = await request(AMBER, REQUESTED_AT);
    await commands.updateMentalHealthAssessment({
      assessmentId: declined.id,
      status: MentalHealthAssessmentStatus.DECLINED,
      updatedBy: "CAMHS clinician",
    });
    expect(await watch().checkDue()).toEqual([]);
    expect(await outbox()).toEqual([]);
  });

  it("raises a scheduled one still not done, and one not yet due only once the clock passes its escalation point", async () => {
    const scheduled = await request(AMBER, new Date(REQUESTED_AT.getTime() - DAY));
    await createHealthCommands(db, now).updateMentalHealthAssessment({
      assessmentId: scheduled.id,
      status: MentalHealthAssessmentStatus.SCHEDULED,
      scheduledFor: new Date(clock.getTime() + DAY),
      updatedBy: "CAMHS clinician",
    });
    clock = new Date(REQUESTED_AT.getTime() + 4 * DAY);
    const young = await request(AMBER, REQUESTED_AT);
    const dueBy = new Date(REQUESTED_AT.getTime() + 5 * DAY);
    expect((await watch().checkDue()).map((e) => e.data.assessmentId)).toEqual([scheduled.id]);

    clock = new Date(dueBy.getTime() - 1);
    expect(await watch().checkDue()).toEqual([]);
    expect(await marked(young.id)).toBeNull();

    clock = dueBy;
    const raised = await watch().checkDue();
    expect(raised.map((e) => [e.data.assessmentId, e.occurredAt])).toEqual([[young.id, dueBy.toISOString()]]);
  });

  it("uses default.json's days for a child whose area has no file of its own", async () => {
    const assessment = await request(JAYDEN, REQUESTED_AT);
    expect(await watch().checkDue()).toEqual([]);

    clock = new Date(REQUESTED_AT.getTime() + 7 * DAY);
    const [event] = await watch().checkDue();
    expect(event).toMatchObject({
      area: "west-carrow",
      occurredAt: clock.toISOString(),
      data: { assessmentId: assessment.id, dueBy: clock.toISOString() },
    });
    expect(event.summary).toContain("past its 7-day escalation point");
  });

  it("raises nothing where the area's rule is disabled", async () => {
    const assessment = await request(AMBER, REQUESTED_AT);
    clock = new Date(REQUESTED_AT.getTime() + 60 * DAY);
    expect(await watch(withRuleDisabled("north-avonvale")).checkDue()).toEqual([]);
    expect(await marked(assessment.id)).toBeNull();
    // The same assessment under the shipped files is long overdue.
    expect(await watch().checkDue()).toHaveLength(1);
  });

  it("commits the mark with the event or not at all, and goes on to the next assessment", async () => {
    const unsendable = await request(AMBER, REQUESTED_AT);
    const fine = await request(JAYDEN, REQUESTED_AT);
    // An area the event contract refuses (blank): recordEvent throws inside the transaction.
    await db.updateTable("subjects").set({ area: " " }).where("nhs_number", "=", AMBER.nhsNumber).execute();
    clock = new Date(REQUESTED_AT.getTime() + 8 * DAY);

    const raised = await watch().checkDue();
    expect(raised.map((e) => e.data.assessmentId)).toEqual([fine.id]);
    expect(await marked(unsendable.id)).toBeNull();
    expect(await outbox()).toHaveLength(1);
    expect(log.error).toHaveBeenCalledWith(
      expect.objectContaining({ event: "escalation-due-failed", assessmentId: unsendable.id }),
      expect.any(String),
    );
  });

  it("raises the demo child's assessment, overdue since the case review, on the first check after the seed", async () => {
    clock = new Date();
    await db.deleteFrom("subject_name_keys" as never).execute();
    await db.deleteFrom("subjects").execute();
    expect(await seedDemoData(healthSubgraph, db, clock)).toBe(true);
    const raised = await watch().checkDue();
    // Amber's was asked for 30 days ago (5-day rule); Tomasz's was declined and Zoë's completed.
    expect(raised.map((e) => [e.childId, e.data.assessmentId])).toEqual([[AMBER.nhsNumber, "MHA-0018-01"]]);
    expect(await watch().checkDue()).toEqual([]);
  });

  it("checks on a timer, logs a failed pass and keeps going, and stops", async () => {
    await request(AMBER, REQUESTED_AT);
    let calls = 0;
    const failingOnce: ProtocolConfigs = {
      ...configs,
      forChild(area) {
        calls += 1;
        if (calls === 1) throw new Error("boom");
        return configs.forChild(area);
      },
    };
    const timed = watch(failingOnce);
    timed.start(10);
    const deadline = Date.now() + 5_000;
    while ((await outbox()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await timed.stop();
    expect(await outbox()).toHaveLength(1);
    expect(log.error).toHaveBeenCalledWith(
      expect.objectContaining({ event: "escalation-watch-failed", error: "boom" }),
      expect.any(String),
    );
    expect(log.info).toHaveBeenCalledWith(
      expect.objectContaining({ event: "escalation-due", count: 1 }),
      expect.any(String),
    );
  });
});
