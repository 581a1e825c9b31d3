import type { Kysely } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queryAuditLog, verifyAuditChain } from "@safeguarding/shared/audit";
import { testRequest } from "@safeguarding/kit/testing";
import { createAlertsService, type AlertRow, type AlertsService } from "./alerts.js";
import { ALERTS_CONFIG_DIR, loadAlertConfigs } from "./config.js";
import type { AlertsDatabase } from "./store.js";
import {
  AMBER,
  careTeamEvent,
  CHRIS,
  DUTY,
  event,
  GRAHAM,
  HELEN,
  IN_HOURS,
  LEAH,
  OUT_OF_HOURS,
  PRIYA,
  FIONA,
  SAM,
  testBackends,
  testClock,
  type TestStore,
} from "./testing.js";

const configs = loadAlertConfigs(ALERTS_CONFIG_DIR);
/** A social worker the tests allocate for a while (invented, like everyone here). */
const AISHA = { name: "Aisha Karim", email: "aisha.karim@avonvale.gov.example" };

describe.each(testBackends())("alerts on $name", (backend) => {
  let opened: TestStore;
  let db: Kysely<AlertsDatabase>;
  let alerts: AlertsService;
  const clock = testClock(IN_HOURS);
  const notified: AlertRow[] = [];

  const snapshot = async () => ({
    alerts: await db.selectFrom("alerts").selectAll().orderBy("id").execute(),
    audit: await db.selectFrom("audit_log").select("seq").orderBy("seq").execute(),
  });
  const recipientsOf = async (eventId: string) =>
    (
      await db
        .selectFrom("alerts")
        .select(["recipient_email", "reason"])
        .where("event_id", "=", eventId)
        .orderBy("escalation_level")
        .orderBy("recipient_email")
        .execute()
    ).map((a) => [a.recipient_email, a.reason]);
  const caller = (person: { name: string; email: string }) => ({
    ...person,
    actor: testRequest("SOCIAL_WORKER", { email: person.email }),
  });

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
    alerts = createAlertsService(db, { configs, now: clock.now, onRaised: (raised) => notified.push(...raised) });
    await alerts.handleEvent(careTeamEvent({ socialWorker: LEAH, onCallManager: null }));
  });
  afterAll(async () => opened?.cleanup());
  beforeEach(() => clock.set(IN_HOURS));

  it("in hours, a missing child: the allocated social worker only", async () => {
    const missing = event("MISSING_REPORTED");
    const raised = await alerts.handleEvent(missing);
    expect(raised.map((a) => a.recipient_email)).toEqual([LEAH.email]);
    expect(raised[0]).toMatchObject({
      kind: "MISSING_REPORTED",
      child_id: AMBER,
      reason: "allocated social worker",
      source_agency: "POLICE",
      escalate_at: "2026-12-09T11:15:00.000Z",
    });
    expect(notified.at(-1)?.id).toBe(raised[0].id);
  });

  it("out of hours: also EDT and the on-call manager", async () => {
    clock.set(OUT_OF_HOURS);
    const missing = event("MISSING_REPORTED");
    await alerts.handleEvent(missing);
    expect(await recipientsOf(missing.id)).toEqual([
      [CHRIS.email, "out of hours: EDT"],
      [FIONA.email, "out of hours: on-call manager"],
      [LEAH.email, "allocated social worker"],
    ]);
  });

  it("the same event twice (a redelivery): one alert per recipient, nothing more", async () => {
    clock.set(OUT_OF_HOURS);
    const found = event("FOUND");
    expect(await alerts.handleEvent(found)).toHaveLength(3);
    const before = await snapshot();
    expect(await alerts.handleEvent(found)).toEqual([]);
    expect(await alerts.handleEvent({ ...found, summary: "A different summary, same id." })).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it("a legal status change: the police control room and police safeguarding", async () => {
    const change = event("LEGAL_STATUS_CHANGED", { summary: "Amber: interim care order (s38) made." });
    await alerts.handleEvent(change);
    expect(await recipientsOf(change.id)).toEqual([
      [HELEN.email, "police safeguarding"],
      [PRIYA.email, "police control room"],
    ]);
    const [raised] = await db.selectFrom("alerts").selectAll().where("event_id", "=", change.id).execute();
    expect(raised.escalate_at).toBeNull();
  });

  it("held at a police station: the stored summary prompts for the senior manager", async () => {
    const held = event("HELD_AT_POLICE_STATION", { summary: "Amber found and taken to Avonvale police station." });
    const [raised] = await alerts.handleEvent(held);
    expect(raised.summary).toMatch(
      /^Amber found and taken to Avonvale police station\. A children's services senior manager must be told/,
    );
  });

  it("a care team change replaces an earlier one only if it happened later", async () => {
    const child = "9990000026";
    await alerts.handleEvent(careTeamEvent({ socialWorker: AISHA, onCallManager: null }, "2026-12-02T09:00:00Z"));
    const team = () => db.selectFrom("care_teams").selectAll().where("child_id", "=", AMBER).executeTakeFirstOrThrow();
    expect(await team()).toMatchObject({ social_worker_email: AISHA.email });
    await alerts.handleEvent(careTeamEvent({ socialWorker: LEAH, onCallManager: null }, "2026-12-01T12:00:00Z"));
    expect(await team()).toMatchObject({ social_worker_email: AISHA.email });
    await alerts.handleEvent(careTeamEvent({ socialWorker: LEAH, onCallManager: FIONA }, "2026-12-02T09:00:00.500Z"));
    expect(await team()).toMatchObject({ social_worker_email: LEAH.email, on_call_manager_email: FIONA.email });
    // A child social care has said nothing about: the duty team.
    const other = event("MISSING_REPORTED", { childId: child });
    await alerts.handleEvent(other);
    expect(await recipientsOf(other.id)).toEqual([
      ["childrens.duty@avonvale.gov.example", "no allocated social worker known: duty team"],
    ]);
  });

  describe("myAlerts and acknowledging", () => {
    it("lists only the caller's alerts, newest first, unacknowledged unless asked", async () => {
      const mine = await alerts.alertsFor(LEAH.email, { unacknowledgedOnly: true, first: 50 });
      expect(mine.length).toBeGreaterThanOrEqual(4);
      expect(mine.every((a) => a.reason === "allocated social worker")).toBe(true);
      const times = mine.map((a) => a.raisedAt.getTime());
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(await alerts.alertsFor(SAM.email, { unacknowledgedOnly: false, first: 50 })).toEqual([]);
      expect(await alerts.alertsFor(LEAH.email, { unacknowledgedOnly: true, first: 1 })).toHaveLength(1);
      await expect(alerts.alertsFor(LEAH.email, { unacknowledgedOnly: true, first: 0 })).rejects.toMatchObject({
        extensions: { code: "BAD_USER_INPUT", field: "first" },
      });
      await expect(alerts.alertsFor(LEAH.email, { unacknowledgedOnly: true, first: 201 })).rejects.toThrow(/1 to 200/);
    });

    it("acknowledges the caller's own alert, and refuses unknown, someone else's, a second time and a long note, changing nothing", async () => {
      const missing = event("MISSING_REPORTED");
      const [alert] = await alerts.handleEvent(missing);
      const refused = async (write: () => Promise<unknown>, code: string, message: RegExp) => {
        const before = await snapshot();
        const error = await write().then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(error).toMatchObject({ extensions: { code } });
        expect((error as Error).message).toMatch(message);
        expect(await snapshot()).toEqual(before);
      };
      await refused(
        () => alerts.acknowledge("no-such-alert", null, caller(LEAH)),
        "BAD_USER_INPUT",
        /No alert has id no-such-alert/,
      );
      await refused(() => alerts.acknowledge(alert.id, null, caller(SAM)), "FORBIDDEN", /not addressed to you/);
      await expect(alerts.acknowledge(alert.id, null, caller(SAM))).rejects.toThrow(/^((?!Amber|999).)*$/);
      await refused(() => alerts.acknowledge(alert.id, "x".repeat(501), caller(LEAH)), "BAD_USER_INPUT", /at most 500/);

      clock.advance(3);
      const acknowledged = await alerts.acknowledge(alert.id, "  On my way to the placement.  ", caller(LEAH));
      expect(acknowledged).toMatchObject({
        id: alert.id,
        acknowledgedAt: new Date("2026-12-09T11:03:00Z"),
        acknowledgedBy: LEAH.name,
        acknowledgeNote: "On my way to the placement.",
      });
      await refused(
        () => alerts.acknowledge(alert.id, null, caller(LEAH)),
        "BAD_USER_INPUT",
        /already acknowledged at 2026-12-09T11:03:00.000Z by Leah Marsh/,
      );
      expect(
        (await alerts.alertsFor(LEAH.email, { unacknowledgedOnly: true, first: 200 })).map((a) => a.id),
      ).not.toContain(alert.id);
      // Acknowledged: the event never escalates.
      clock.advance(60);
      await alerts.escalateDue();
      expect(await recipientsOf(missing.id)).toEqual([[LEAH.email, "allocated social worker"]]);
    });
  });

  it("tells a social worker allocated later of the child's alerts still open, once, and not of acknowledged ones", async () => {
    const MAISIE = "9990000034";
    const team = (socialWorker: typeof LEAH | null, occurredAt: string) =>
      event("CARE_TEAM_CHANGED", {
        childId: MAISIE,
        occurredAt,
        recordedAt: occurredAt,
        summary: "Care team recorded.",
        data: { socialWorker, onCallManager: null },
      });
    await alerts.handleEvent(team(null, "2026-12-01T09:00:00Z"));
    const open = event("MISSING_REPORTED", { childId: MAISIE });
    const done = event("FOUND", { childId: MAISIE });
    const [toDuty] = await alerts.handleEvent(open);
    expect(toDuty).toMatchObject({
      recipient_email: DUTY.email,
      reason: "no allocated social worker known: duty team",
    });
    const [doneAlert] = await alerts.handleEvent(done);
    await db
      .updateTable("alerts")
      .set({ acknowledged_at: IN_HOURS.toISOString(), acknowledged_by: DUTY.name })
      .where("id", "=", doneAlert.id)
      .execute();

    const allocation = team(AISHA, "2026-12-09T10:45:00Z");
    const told = await alerts.handleEvent(allocation);
    expect(told.map((a) => [a.event_id, a.recipient_email, a.reason, a.escalate_at])).toEqual([
      [open.id, AISHA.email, "allocated social worker (allocated after this alert was raised)", null],
    ]);
    // The same allocation again (a redelivery), or another event after it, tells her nothing twice.
    expect(await alerts.handleEvent(allocation)).toEqual([]);
    expect(await alerts.handleEvent(team(AISHA, "2026-12-09T10:50:00Z"))).toEqual([]);
    expect(await recipientsOf(open.id)).toEqual([
      [AISHA.email, "allocated social worker (allocated after this alert was raised)"],
      [DUTY.email, "no allocated social worker known: duty team"],
    ]);
  });

  it("a child held at a police station, unacknowledged for the area's 15 minutes, escalates to the on-call manager", async () => {
    await db.updateTable("alerts").set({ escalate_at: null }).execute();
    const held = event("HELD_AT_POLICE_STATION");
    const [first] = await alerts.handleEvent(held);
    expect(first).toMatchObject({ recipient_email: LEAH.email, escalate_at: "2026-12-09T11:15:00.000Z" });
    clock.advance(14);
    expect(await alerts.escalateDue()).toEqual([]);
    clock.advance(1);
    const [toManager] = await alerts.escalateDue();
    expect(toManager).toMatchObject({
      kind: "HELD_AT_POLICE_STATION",
      recipient_email: FIONA.email,
      reason: "escalated: not acknowledged within 15 minutes",
      escalation_level: 1,
    });
    // The senior manager next, another 15 minutes on, unless someone acknowledges first.
    await alerts.acknowledge(first.id, "Called the on-call manager myself.", caller(LEAH));
    clock.advance(30);
    expect(await alerts.escalateDue()).toEqual([]);
  });

  it("escalates an unacknowledged event to the on-call manager, then the senior manager, then stops", async () => {
    // Everything else still waiting is acknowledged out of the way first.
    await db.updateTable("alerts").set({ escalate_at: null }).execute();
    const short = createAlertsService(db, {
      configs: {
        areas: configs.areas,
        forArea: (area) => {
          const config = configs.forArea(area);
          return {
            ...config,
            escalation: {
              ...config.escalation,
              afterMinutes: { ...config.escalation.afterMinutes, MISSING_REPORTED: 1 },
            },
          };
        },
      },
      now: clock.now,
    });
    const missing = event("MISSING_REPORTED");
    const [first] = await short.handleEvent(missing);
    expect(first.escalate_at).toBe("2026-12-09T11:01:00.000Z");
    clock.advance(0.5);
    expect(await short.escalateDue()).toEqual([]);
    clock.advance(0.5);
    const [toManager] = await short.escalateDue();
    expect(toManager).toMatchObject({
      recipient_email: FIONA.email,
      reason: "escalated: not acknowledged within 1 minute",
      escalation_level: 1,
    });
    expect(await short.escalateDue()).toEqual([]);
    clock.advance(1);
    const [toSenior] = await short.escalateDue();
    expect(toSenior).toMatchObject({ recipient_email: GRAHAM.email, escalation_level: 2 });
    clock.advance(1);
    expect(await short.escalateDue()).toEqual([]);
    expect(await recipientsOf(missing.id)).toEqual([
      [LEAH.email, "allocated social worker"],
      [FIONA.email, "escalated: not acknowledged within 1 minute"],
      [GRAHAM.email, "escalated: not acknowledged within 1 minute"],
    ]);
    const leahSees = (await short.alertsFor(LEAH.email, { unacknowledgedOnly: true, first: 200 })).find(
      (a) => a.id === first.id,
    );
    expect(leahSees).toMatchObject({ id: first.id, escalatedTo: [FIONA.name, GRAHAM.name] });

    // The on-call manager told out of hours already: escalation goes straight to the senior manager, and an
    // acknowledgement by any recipient stops it.
    clock.set(OUT_OF_HOURS);
    const late = event("MISSING_REPORTED");
    await short.handleEvent(late);
    clock.advance(1);
    expect((await short.escalateDue()).map((a) => a.recipient_email)).toEqual([GRAHAM.email]);
    const [chrisAlert] = await db
      .selectFrom("alerts")
      .selectAll()
      .where("event_id", "=", late.id)
      .where("recipient_email", "=", CHRIS.email)
      .execute();
    await short.acknowledge(chrisAlert.id, null, caller(CHRIS));
    clock.advance(5);
    expect(await short.escalateDue()).toEqual([]);
  });

  it("lists a child's events nobody has acknowledged: one per event, everyone told, newest first, at most 20", async () => {
    const child = "9990000050";
    clock.set(OUT_OF_HOURS);
    await alerts.handleEvent({ ...careTeamEvent({ socialWorker: LEAH, onCallManager: null }), childId: child });
    const missing = event("MISSING_REPORTED", { childId: child });
    await alerts.handleEvent(missing);
    clock.advance(10);
    const found = await alerts.handleEvent(event("FOUND", { childId: child }));
    const listed = await alerts.unacknowledgedForChild(child);
    expect(listed.map((a) => a.kind)).toEqual(["FOUND", "MISSING_REPORTED"]);
    expect(listed[1]).toMatchObject({
      raisedAt: OUT_OF_HOURS,
      summary: expect.stringMatching(/reported missing/),
      sourceAgency: "POLICE",
      escalatedTo: [],
    });
    expect(listed[1].sentTo).toEqual(
      expect.arrayContaining([
        { name: LEAH.name, reason: "allocated social worker" },
        { name: CHRIS.name, reason: "out of hours: EDT" },
      ]),
    );
    expect(listed[1].sentTo).toHaveLength(3);

    // One recipient acknowledging takes the event off the list; one nobody acknowledges shows its escalation.
    await alerts.acknowledge(found.find((a) => a.recipient_email === CHRIS.email)!.id, null, caller(CHRIS));
    clock.advance(16);
    await alerts.escalateDue();
    const after = await alerts.unacknowledgedForChild(child);
    expect(after.map((a) => a.kind)).toEqual(["MISSING_REPORTED"]);
    expect(after[0].escalatedTo).toEqual([GRAHAM.name]);
    expect(after[0].sentTo).toHaveLength(3);

    const busy = "9990000034";
    for (let i = 0; i < 22; i += 1) {
      clock.advance(1);
      await alerts.handleEvent(event("FOUND", { childId: busy, summary: `Found, number ${i}.` }));
    }
    const newest = await alerts.unacknowledgedForChild(busy);
    expect(newest).toHaveLength(20);
    expect(newest[0].summary).toMatch(/number 21/);
    expect(newest.at(-1)!.summary).toMatch(/number 2\b/);
    expect(await alerts.unacknowledgedForChild("9990000042")).toEqual([]);
  });

  it("audits every alert raised, escalated and acknowledged, and the chain verifies", async () => {
    const entries = await queryAuditLog(db, { limit: 1000 });
    const operations = new Set(entries.map((e) => e.operation));
    expect([...operations].sort()).toEqual(["acknowledged", "escalated", "raised"]);
    const raised = entries.filter((e) => e.operation === "raised");
    expect(raised.length).toBe(
      await db
        .selectFrom("alerts")
        .select("id")
        .where("escalation_level", "=", 0)
        .execute()
        .then((r) => r.length),
    );
    expect(raised[0]).toMatchObject({
      action: "WRITE",
      role: "SERVICE",
      userId: "alerts-service",
      childIds: [expect.any(String)],
    });
    expect(entries.filter((e) => e.operation === "acknowledged")).toContainEqual(
      expect.objectContaining({ role: "SOCIAL_WORKER", childIds: [AMBER] }),
    );
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});
