import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ago, DEMO_CHILD_ID, seedDemoData } from "@safeguarding/kit";
import { type Store } from "@safeguarding/shared/store";
import { testBackends, type TestStore, expectBadInput } from "@safeguarding/kit/testing";
import { healthSubgraph } from "./definition.js";
import { CamhsUrgency, MentalHealthAssessmentStatus } from "./entities.js";
import { createHealthService, type HealthService, type UpdateMentalHealthAssessment } from "./service.js";
import type { HealthDatabase } from "./store.js";

const backends = testBackends(healthSubgraph);

const JAYDEN = "9990000026";
const TOMASZ_DECLINED = "MHA-0042-01";
const ZOE_COMPLETED = "MHA-0050-01";
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const daysAhead = (days: number) => new Date(Date.now() + days * 24 * 3600_000);

describe.each(backends)("health service on $name", (backend) => {
  let opened: TestStore<HealthDatabase>;
  let service: HealthService;
  let db: Store<HealthDatabase>["db"];

  /** Every row the writes could touch, to show a refused write left the store as it was. */
  const snapshot = async () => ({
    referrals: await db.selectFrom("camhs_referrals").selectAll().orderBy("id").execute(),
    assessments: await db.selectFrom("mental_health_assessments").selectAll().orderBy("id").execute(),
  });

  async function expectRefused(write: () => Promise<unknown>, field: string): Promise<void> {
    const before = await snapshot();
    await expectBadInput(write(), field);
    expect(await snapshot()).toEqual(before);
  }

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
    expect(await seedDemoData(healthSubgraph, db)).toBe(true);
    service = createHealthService(db);
  });
  afterAll(async () => opened?.cleanup());

  describe("recordCamhsReferral", () => {
    const valid = () => ({
      childId: JAYDEN,
      referredAt: minutesAgo(10),
      referredBy: "Dr Helen Carver, GP",
      reason: "Low mood and not sleeping.",
      urgency: CamhsUrgency.URGENT,
    });

    it("records a referral as RECEIVED and lists it first", async () => {
      const referral = await service.recordCamhsReferral({ ...valid(), referredBy: "  Dr Helen Carver, GP  " });
      expect(referral).toMatchObject({ status: "RECEIVED", urgency: "URGENT", referredBy: "Dr Helen Carver, GP" });
      expect(referral.source).toMatchObject({ agency: "HEALTH" });
      const listed = await service.createLoaders().camhsReferrals(JAYDEN);
      expect(listed?.[0]?.id).toBe(referral.id);
    });

    it.each([
      ["an unknown child", { childId: "9990000999" }, "childId"],
      ["a child health does not know", { childId: "9990000069" }, "childId"],
      ["a time in the future", { referredAt: daysAhead(1) }, "referredAt"],
      ["a time before the child was born", { referredAt: new Date("2001-01-01T00:00:00Z") }, "referredAt"],
      ["no referrer", { referredBy: "   " }, "referredBy"],
      ["a referrer name over 200 characters", { referredBy: "x".repeat(201) }, "referredBy"],
      ["no reason", { reason: "" }, "reason"],
      ["a reason over 2000 characters", { reason: "x".repeat(2001) }, "reason"],
      ["an unknown urgency", { urgency: "SOON" as CamhsUrgency }, "urgency"],
    ])("refuses %s and writes nothing", async (_case, change, field) => {
      await expectRefused(() => service.recordCamhsReferral({ ...valid(), ...change }), field);
    });
  });

  describe("requestMentalHealthAssessment", () => {
    const valid = () => ({
      childId: JAYDEN,
      requestedAt: minutesAgo(5),
      requestedBy: "Leah Marsh, social worker",
      reason: "A placement decision waits on it.",
    });

    it("records a request as REQUESTED with nothing booked", async () => {
      const assessment = await service.requestMentalHealthAssessment(valid());
      expect(assessment).toMatchObject({
        status: "REQUESTED",
        scheduledFor: null,
        completedAt: null,
        outcomeSummary: null,
      });
      const row = await db
        .selectFrom("mental_health_assessments")
        .selectAll()
        .where("id", "=", assessment.id)
        .executeTakeFirst();
      expect(row?.nhs_number).toBe(JAYDEN);
    });

    it.each([
      ["an unknown child", { childId: "1234567890" }, "childId"],
      ["a time in the future", { requestedAt: daysAhead(2) }, "requestedAt"],
      ["a time before the child was born", { requestedAt: new Date("1999-06-01T00:00:00Z") }, "requestedAt"],
      ["an invalid time", { requestedAt: new Date("not a date") }, "requestedAt"],
      ["no requester", { requestedBy: "" }, "requestedBy"],
      ["no reason", { reason: " " }, "reason"],
    ])("refuses %s and writes nothing", async (_case, change, field) => {
      await expectRefused(() => service.requestMentalHealthAssessment({ ...valid(), ...change }), field);
    });
  });

  describe("updateMentalHealthAssessment", () => {
    let open: string;

    beforeAll(async () => {
      const made = await service.requestMentalHealthAssessment({
        childId: JAYDEN,
        requestedAt: minutesAgo(120),
        requestedBy: "Leah Marsh, social worker",
        reason: "Self-harm disclosed at school.",
      });
      open = made.id;
    });

    const update = (change: Partial<UpdateMentalHealthAssessment>): UpdateMentalHealthAssessment => ({
      assessmentId: open,
      status: MentalHealthAssessmentStatus.SCHEDULED,
      scheduledFor: daysAhead(3),
      updatedBy: "CAMHS duty clinician",
      ...change,
    });
    const completed = {
      status: MentalHealthAssessmentStatus.COMPLETED,
      scheduledFor: null,
      completedAt: minutesAgo(1),
      outcomeSummary: "Seen.",
    };

    it.each([
      ["an unknown assessment", { assessmentId: "MHA-none" }, "assessmentId"],
      ["an unknown status", { status: "LOST" as MentalHealthAssessmentStatus }, "status"],
      ["no one recording it", { updatedBy: " " }, "updatedBy"],
      ["SCHEDULED without a time", { scheduledFor: null }, "scheduledFor"],
      ["a booking before the request", { scheduledFor: new Date(Date.now() - 86_400_000) }, "scheduledFor"],
      ["a booking more than a year ahead", { scheduledFor: daysAhead(400) }, "scheduledFor"],
      ["an outcome on a booking", { outcomeSummary: "Too early." }, "outcomeSummary"],
      ["a completion time when not COMPLETED", { completedAt: minutesAgo(1) }, "completedAt"],
      ["COMPLETED without a completion time", { ...completed, completedAt: null }, "completedAt"],
      ["COMPLETED without an outcome", { ...completed, outcomeSummary: "  " }, "outcomeSummary"],
      ["COMPLETED in the future", { ...completed, completedAt: daysAhead(1) }, "completedAt"],
      [
        "COMPLETED before it was requested",
        { ...completed, completedAt: new Date(Date.now() - 5 * 3600_000) },
        "completedAt",
      ],
      ["an outcome over 2000 characters", { ...completed, outcomeSummary: "x".repeat(2001) }, "outcomeSummary"],
      [
        "a booking time when going back to REQUESTED",
        { status: MentalHealthAssessmentStatus.REQUESTED },
        "scheduledFor",
      ],
      ["a booking time on a DECLINED request", { status: MentalHealthAssessmentStatus.DECLINED }, "scheduledFor"],
      ["a change to a DECLINED assessment", { assessmentId: TOMASZ_DECLINED }, "assessmentId"],
      ["a change to a COMPLETED assessment", { assessmentId: ZOE_COMPLETED }, "assessmentId"],
    ])("refuses %s and writes nothing", async (_case, change, field) => {
      await expectRefused(() => service.updateMentalHealthAssessment(update(change)), field);
    });

    it("books, completes, then refuses further change", async () => {
      const booked = await service.updateMentalHealthAssessment(update({ scheduledFor: daysAhead(1) }));
      expect(booked).toMatchObject({ status: "SCHEDULED", recordedBy: "CAMHS duty clinician" });
      expect(booked.scheduledFor?.getTime()).toBeGreaterThan(Date.now());

      const done = await service.updateMentalHealthAssessment(
        update({ ...completed, outcomeSummary: "Low mood; weekly CAMHS sessions offered." }),
      );
      expect(done).toMatchObject({ status: "COMPLETED", outcomeSummary: "Low mood; weekly CAMHS sessions offered." });
      expect(done.scheduledFor?.toISOString()).toBe(booked.scheduledFor?.toISOString());

      await expectRefused(
        () =>
          service.updateMentalHealthAssessment(
            update({ status: MentalHealthAssessmentStatus.DECLINED, scheduledFor: null }),
          ),
        "assessmentId",
      );
      const stored = await service.assessment(open);
      expect(stored.status).toBe("COMPLETED");
    });

    it("records a decline with its reason", async () => {
      const made = await service.requestMentalHealthAssessment({
        childId: JAYDEN,
        requestedAt: minutesAgo(30),
        requestedBy: "Social worker",
        reason: "Worried about his mood.",
      });
      const declined = await service.updateMentalHealthAssessment({
        assessmentId: made.id,
        status: MentalHealthAssessmentStatus.DECLINED,
        outcomeSummary: "Did not meet the threshold; school counselling suggested.",
        updatedBy: "CAMHS duty clinician",
      });
      expect(declined).toMatchObject({ status: "DECLINED", completedAt: null, scheduledFor: null });
    });
  });

  it("leaves the review's unmet need in place: 9990000018's assessment is still only requested", async () => {
    const assessments = await service.createLoaders().mentalHealthAssessments(DEMO_CHILD_ID);
    expect(assessments).toHaveLength(1);
    expect(assessments?.[0]).toMatchObject({ status: "REQUESTED", completedAt: null });
    const requested = assessments![0].requestedAt.getTime();
    expect(Math.abs(requested - ago(new Date(), 30).getTime())).toBeLessThan(60_000);
  });
});
