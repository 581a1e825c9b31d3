import "reflect-metadata";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CHILD_ID, seedDemoData, summaryTime } from "@safeguarding/kit";
import { testBackends, testGrant, type TestStore, expectBadInput } from "@safeguarding/kit/testing";
import { parseEvent, type OutboxTables, type SafeguardingEvent } from "@safeguarding/shared/events";
import { socialCareSubgraph } from "./definition.js";
import { LegalStatusCode, MeetingRiskLevel } from "./entities.js";
import type { AuditLogTable } from "@safeguarding/shared/audit";
import type {
  RecordCareTeamInput,
  RecordDecisionInput,
  RecordLegalStatusInput,
  RecordReturnInterviewInput,
  RecordRiskManagementMeetingInput,
  RecordStrategyDiscussionInput,
  RecordStrategyMinutesSharedInput,
  UpdateOutOfHoursPlanInput,
} from "./inputs.js";
import { createSocialCareService, type SocialCareService } from "./service.js";
import type { SocialCareDatabase } from "./store.js";

const backends = testBackends(socialCareSubgraph);

const AMBER = DEMO_CHILD_ID;
const JAYDEN = "9990000026";
const MAISIE = "9990000034";
const TOMASZ = "9990000042";
/** Known to the police and not to social care. */
const REUBEN = "9990000069";
/** A valid NHS number (check digit right) that no agency holds. */
const NOBODY = "9990000999";
const MINUTES_SHARED = "SD-0018-01";
const MINUTES_NOT_SHARED = "SD-0018-02";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const hoursAgo = (hours: number) => minutesAgo(hours * 60);
const daysAgo = (days: number) => hoursAgo(days * 24);
const daysAhead = (days: number) => new Date(Date.now() + days * 24 * 3600_000);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

type Refusal<T> = [string, Partial<T>, string, RegExp?];
const unknownChildren = <T extends { childId: string }>(): Refusal<T>[] => [
  ["an unknown child", { childId: NOBODY } as Partial<T>, "childId", /NHS number 9990000999/],
  ["a child social care does not know", { childId: REUBEN } as Partial<T>, "childId", /NHS number 9990000069/],
  ["a malformed NHS number", { childId: "999 000 001" } as Partial<T>, "childId", /childId|NHS number/],
];
const people = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ name: `Person ${i}`, role: "Role", phone: `01632 960 ${100 + i}` }));

describe.each(backends)("social-care service on $name", (backend) => {
  let opened: TestStore<SocialCareDatabase>;
  let db: Kysely<SocialCareDatabase>;
  let service: SocialCareService;

  /** Every row in every social-care table, to show a refused write left the store exactly as it was. */
  const snapshot = async () => ({
    subjects: await db.selectFrom("subjects").selectAll().orderBy("nhs_number").execute(),
    legalStatuses: await db.selectFrom("legal_statuses").selectAll().orderBy("id").execute(),
    childProtectionPlans: await db.selectFrom("child_protection_plans").selectAll().orderBy("id").execute(),
    placements: await db.selectFrom("placements").selectAll().orderBy("id").execute(),
    contacts: await db.selectFrom("contacts").selectAll().orderBy("nhs_number").orderBy("kind").execute(),
    outOfHoursPlans: await db.selectFrom("out_of_hours_plans").selectAll().orderBy("nhs_number").execute(),
    decisions: await db.selectFrom("decisions").selectAll().orderBy("id").execute(),
    strategyDiscussions: await db.selectFrom("strategy_discussions").selectAll().orderBy("id").execute(),
    riskManagementMeetings: await db.selectFrom("risk_management_meetings").selectAll().orderBy("id").execute(),
    returnInterviews: await db.selectFrom("return_interviews").selectAll().orderBy("id").execute(),
    education: await db.selectFrom("education").selectAll().orderBy("nhs_number").execute(),
    outbox: await outbox(),
    audit: await auditLog(),
  });

  const auditLog = () =>
    (db as unknown as Kysely<{ audit_log: AuditLogTable }>)
      .selectFrom("audit_log")
      .selectAll()
      .orderBy("seq")
      .execute();

  const outbox = () => (db as unknown as Kysely<OutboxTables>).selectFrom("outbox").selectAll().orderBy("id").execute();
  const parsed = (row: { id: string; kind: string; child_id: string; body: string }) => {
    const event = parseEvent(JSON.parse(row.body));
    expect(row).toMatchObject({ id: event.id, kind: event.kind, child_id: event.childId });
    return event;
  };

  /** The events a write left in the outbox. */
  async function eventsOf(write: () => Promise<unknown>): Promise<SafeguardingEvent[]> {
    const before = new Set((await outbox()).map((row) => row.id));
    await write();
    return (await outbox()).filter((row) => !before.has(row.id)).map(parsed);
  }

  async function expectRefused(write: () => Promise<unknown>, field: string, message?: RegExp): Promise<void> {
    const before = await snapshot();
    expect(before.legalStatuses.length).toBeGreaterThan(0);
    await expectBadInput(write(), field, message ?? new RegExp(escape(field)));
    expect(await snapshot()).toEqual(before);
  }

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
    expect(await seedDemoData(socialCareSubgraph, db)).toBe(true);
    service = createSocialCareService(db);
  });
  afterAll(async () => opened?.cleanup());

  describe("the demo seed's care teams, for the alerts service", () => {
    it("writes one CARE_TEAM_CHANGED per demo child: Amber's names Leah Marsh and Fiona Castell", async () => {
      const events = (await outbox()).map(parsed).filter((e) => e.kind === "CARE_TEAM_CHANGED");
      expect(events.map((e) => e.childId).sort()).toEqual([AMBER, JAYDEN, MAISIE, TOMASZ]);
      const amber = events.find((e) => e.childId === AMBER)!;
      expect(amber).toMatchObject({
        agency: "SOCIAL_CARE",
        area: "north-avonvale",
        summary:
          "Amber Whitlock (999 000 0018): allocated social worker Leah Marsh, named on-call manager Fiona Castell.",
        data: {
          socialWorker: { name: "Leah Marsh", email: "leah.marsh@avonvale.gov.example" },
          onCallManager: { name: "Fiona Castell", email: "fiona.castell@avonvale.gov.example" },
        },
      });
      const contact = await db
        .selectFrom("contacts")
        .select("recorded_at")
        .where("nhs_number", "=", AMBER)
        .where("kind", "=", "SOCIAL_WORKER")
        .executeTakeFirstOrThrow();
      expect(amber.occurredAt).toBe(contact.recorded_at);
    });

    it("sends a person recorded without an email as null, since the alerts service could not address them", async () => {
      const jayden = (await outbox()).map(parsed).find((e) => e.kind === "CARE_TEAM_CHANGED" && e.childId === JAYDEN)!;
      expect(jayden.data).toEqual({
        socialWorker: null,
        onCallManager: { name: "Fiona Castell", email: "fiona.castell@avonvale.gov.example" },
      });
      expect(jayden.summary).toBe(
        "Jayden Okafor (999 000 0026): allocated social worker Aisha Karim (no email recorded), named on-call manager Fiona Castell.",
      );
    });
  });

  describe("recordLegalStatus", () => {
    const valid = (): RecordLegalStatusInput => ({
      childId: JAYDEN,
      code: LegalStatusCode.C2,
      startedAt: minutesAgo(60),
      court: "Family Court sitting at Avonvale",
      conditions: "Full care order.",
      whoDecidesWhereChildLives: "The local authority decides where Jayden lives.",
      recordedBy: "Aisha Karim",
    });

    it.each<Refusal<RecordLegalStatusInput>>([
      ...unknownChildren<RecordLegalStatusInput>(),
      ["a care order without a court", { court: null }, "court", /C2 is made by a court/],
      ["an emergency protection order with a blank court", { code: LegalStatusCode.L2, court: "   " }, "court", /L2/],
      ["an interim care order without a court", { code: LegalStatusCode.C1, court: undefined }, "court"],
      [
        "a start before the current status began",
        { startedAt: daysAgo(401) },
        "startedAt",
        /startedAt .* is before the start of the current legal status/,
      ],
      ["a start in the future", { startedAt: daysAhead(1) }, "startedAt"],
      ["an invalid start", { startedAt: new Date("31/12/2024") }, "startedAt"],
      ["no one deciding where the child lives", { whoDecidesWhereChildLives: " " }, "whoDecidesWhereChildLives"],
      ["who decides, over 500 characters", { whoDecidesWhereChildLives: "x".repeat(501) }, "whoDecidesWhereChildLives"],
      ["conditions over 2000 characters", { conditions: "x".repeat(2001) }, "conditions"],
      ["no recorder", { recordedBy: "" }, "recordedBy"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.recordLegalStatus({ ...valid(), ...change }), field, message);
    });

    it("ends the current status when the new one starts", async () => {
      const [previous] = (await service.createLoaders().legalStatuses(JAYDEN)) ?? [];
      expect(previous).toMatchObject({ code: "V2", endedAt: null });

      const startedAt = minutesAgo(30);
      const status = await service.recordLegalStatus({ ...valid(), startedAt });
      expect(status).toMatchObject({
        code: "C2",
        endedAt: null,
        court: "Family Court sitting at Avonvale",
        recordedBy: "Aisha Karim",
      });
      expect(status.source).toMatchObject({ agency: "SOCIAL_CARE", department: "Children's Services" });

      const history = (await service.createLoaders().legalStatuses(JAYDEN)) ?? [];
      expect(history.map((s) => [s.id, s.code, s.endedAt?.toISOString() ?? null])).toEqual([
        [status.id, "C2", null],
        [previous.id, "V2", startedAt.toISOString()],
      ]);
      expect(history[1].startedAt).toEqual(previous.startedAt);
      const open = await db
        .selectFrom("legal_statuses")
        .select("id")
        .where("nhs_number", "=", JAYDEN)
        .where("ended_at", "is", null)
        .execute();
      expect(open).toEqual([{ id: status.id }]);
    });

    it("writes LEGAL_STATUS_CHANGED with the code and the start, and no conditions or placement", async () => {
      const startedAt = hoursAgo(5);
      let status: { id: string } | undefined;
      const events = await eventsOf(async () => {
        status = await service.recordLegalStatus({
          ...valid(),
          childId: TOMASZ,
          startedAt,
          code: LegalStatusCode.L1,
          court: null,
          conditions: "Held after being found with older men linked to exploitation; CAMHS to assess self-harm.",
          whoDecidesWhereChildLives: "Police protection: the designated officer, then Beacon House children's home.",
          recordedBy: "Kerry Walsh",
        });
      });
      expect(status).toBeDefined();
      expect(events).toEqual([
        {
          id: expect.any(String),
          kind: "LEGAL_STATUS_CHANGED",
          agency: "SOCIAL_CARE",
          childId: TOMASZ,
          area: "north-avonvale",
          occurredAt: startedAt.toISOString(),
          recordedAt: expect.any(String),
          summary: `Tomasz Nowakowski (999 000 0042): legal status is now L1 (Police protection), from ${summaryTime(startedAt)}.`,
          data: { code: "L1" },
        },
      ]);
      expect(JSON.stringify(events)).not.toMatch(/exploitation|CAMHS|self-harm|Beacon House|designated officer/i);

      // Refused (a care order needs its court): no status and no event.
      expect(
        await eventsOf(() =>
          expectBadInput(
            service.recordLegalStatus({ ...valid(), childId: TOMASZ, code: LegalStatusCode.C2, court: null }),
            "court",
          ),
        ),
      ).toEqual([]);
    });

    it("records a first status with no court when no court is involved, ending nothing", async () => {
      const othersBefore = await db
        .selectFrom("legal_statuses")
        .selectAll()
        .where("nhs_number", "!=", MAISIE)
        .orderBy("id")
        .execute();
      const status = await service.recordLegalStatus({
        ...valid(),
        childId: MAISIE,
        code: LegalStatusCode.V2,
        court: null,
        conditions: null,
        recordedBy: "Tom Adeyemi",
      });
      expect(status).toMatchObject({ code: "V2", court: null, conditions: null, endedAt: null });
      expect(await service.createLoaders().legalStatuses(MAISIE)).toEqual([status]);
      expect(
        await db.selectFrom("legal_statuses").selectAll().where("nhs_number", "!=", MAISIE).orderBy("id").execute(),
      ).toEqual(othersBefore);
    });
  });

  describe("updateOutOfHoursPlan", () => {
    const valid = (): UpdateOutOfHoursPlanInput => ({
      childId: AMBER,
      returnTo: "Orchard Lane children's home",
      doNotReturnTo: ["Her mother's address"],
      whoToCall: [{ name: "Fiona Castell", role: "Named on-call manager", phone: "07700 900 461" }],
      legalAdviceRoute: "EDT manager, then the duty solicitor.",
      notes: "Tell the night staff before you arrive.",
      updatedBy: "Graham Boateng",
    });

    it.each<Refusal<UpdateOutOfHoursPlanInput>>([
      ...unknownChildren<UpdateOutOfHoursPlanInput>(),
      ["no one to call", { whoToCall: [] }, "whoToCall", /whoToCall is empty/],
      ["more than ten people to call", { whoToCall: people(11) }, "whoToCall", /more than 10/],
      [
        "a person with no phone",
        { whoToCall: [{ name: "Fiona Castell", role: "On-call manager", phone: " " }] },
        "whoToCall[0].phone",
      ],
      [
        "a phone over 40 characters",
        { whoToCall: [...people(1), { name: "EDT", role: "EDT", phone: "0".repeat(41) }] },
        "whoToCall[1].phone",
      ],
      [
        "a person with no name",
        { whoToCall: [{ name: "", role: "EDT", phone: "01632 960 999" }] },
        "whoToCall[0].name",
      ],
      [
        "a person with no role",
        { whoToCall: [{ name: "EDT", role: "", phone: "01632 960 999" }] },
        "whoToCall[0].role",
      ],
      ["no place to return to", { returnTo: "" }, "returnTo"],
      ["a return place over 500 characters", { returnTo: "x".repeat(501) }, "returnTo"],
      ["a blank place not to return to", { doNotReturnTo: ["Mother's address", " "] }, "doNotReturnTo[1]"],
      [
        "more than 20 places not to return to",
        { doNotReturnTo: Array.from({ length: 21 }, (_, i) => `Address ${i}`) },
        "doNotReturnTo",
      ],
      ["no legal advice route", { legalAdviceRoute: "  " }, "legalAdviceRoute"],
      ["a legal advice route over 1000 characters", { legalAdviceRoute: "x".repeat(1001) }, "legalAdviceRoute"],
      ["notes over 2000 characters", { notes: "x".repeat(2001) }, "notes"],
      ["no one updating it", { updatedBy: "" }, "updatedBy"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.updateOutOfHoursPlan({ ...valid(), ...change }), field, message);
    });

    it("replaces the previous plan, keeping one plan per child", async () => {
      const previous = await service.createLoaders().outOfHoursPlan(AMBER);
      expect(previous?.whoToCall.length).toBe(3);
      const plan = await service.updateOutOfHoursPlan({ ...valid(), whoToCall: people(10), notes: null });
      expect(plan).toMatchObject({
        returnTo: "Orchard Lane children's home",
        notes: null,
        updatedBy: "Graham Boateng",
        recordedBy: "Graham Boateng",
      });
      expect(plan.whoToCall).toHaveLength(10);
      expect(plan.whoToCall[0]).toEqual({
        name: "Person 0",
        role: "Role",
        phone: "01632 960 100",
        email: null,
        team: null,
      });

      expect(await service.createLoaders().outOfHoursPlan(AMBER)).toEqual(plan);
      const rows = await db
        .selectFrom("out_of_hours_plans")
        .select("nhs_number")
        .where("nhs_number", "=", AMBER)
        .execute();
      expect(rows).toHaveLength(1);
    });

    it("creates a plan for a child who had none", async () => {
      expect(await service.createLoaders().outOfHoursPlan(JAYDEN)).toBeNull();
      const plan = await service.updateOutOfHoursPlan({ ...valid(), childId: JAYDEN, doNotReturnTo: [] });
      expect(await service.createLoaders().outOfHoursPlan(JAYDEN)).toEqual(plan);
      expect(plan.doNotReturnTo).toEqual([]);
    });
  });

  describe("recordDecision", () => {
    const valid = (): RecordDecisionInput => ({
      childId: AMBER,
      decision: "If found tonight, return Amber to Orchard Lane.",
      decidedBy: "Fiona Castell, service manager",
      decidedAt: minutesAgo(15),
      appliesOutOfHours: true,
    });

    it.each<Refusal<RecordDecisionInput>>([
      ...unknownChildren<RecordDecisionInput>(),
      ["a decision in the future", { decidedAt: daysAhead(1) }, "decidedAt"],
      ["an invalid time", { decidedAt: new Date(Number.NaN) }, "decidedAt"],
      ["no decision", { decision: " " }, "decision"],
      ["a decision over 2000 characters", { decision: "x".repeat(2001) }, "decision"],
      ["no decision maker", { decidedBy: "" }, "decidedBy"],
      ["a decision maker over 200 characters", { decidedBy: "x".repeat(201) }, "decidedBy"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.recordDecision({ ...valid(), ...change }), field, message);
    });

    it("records a decision and lists it first", async () => {
      const decision = await service.recordDecision({ ...valid(), decision: "  Trimmed decision.  " });
      expect(decision).toMatchObject({
        decision: "Trimmed decision.",
        appliesOutOfHours: true,
        recordedBy: "Fiona Castell, service manager",
      });
      const listed = (await service.createLoaders().decisions(AMBER)) ?? [];
      expect(listed[0]).toEqual(decision);
      expect(listed).toHaveLength(4);
    });

    it("keeps appliesOutOfHours false when it is false", async () => {
      const decision = await service.recordDecision({ ...valid(), childId: MAISIE, appliesOutOfHours: false });
      expect((await service.createLoaders().decisions(MAISIE))?.map((d) => [d.id, d.appliesOutOfHours])).toEqual([
        [decision.id, false],
      ]);
    });
  });

  describe("recordCareTeam", () => {
    const SAM = { name: "Sam Okoro", phone: "01632 960 360", email: "Sam.Okoro@avonvale.gov.example" };
    const valid = (): RecordCareTeamInput => ({ childId: JAYDEN, socialWorker: SAM, recordedBy: "Graham Boateng" });
    const contactsOf = (childId: string) =>
      db.selectFrom("contacts").selectAll().where("nhs_number", "=", childId).orderBy("kind").execute();
    const careTeamEvents = async (write: () => Promise<unknown>) => {
      const events = await eventsOf(write);
      expect(events.map((e) => e.kind)).toEqual(["CARE_TEAM_CHANGED"]);
      return events[0];
    };

    it.each<Refusal<RecordCareTeamInput>>([
      ...unknownChildren<RecordCareTeamInput>(),
      ["neither person", { socialWorker: undefined }, "socialWorker", /Give socialWorker, onCallManager or both/],
      ["both given as null", { socialWorker: null, onCallManager: null }, "socialWorker", /or both/],
      ["a social worker with no name", { socialWorker: { ...SAM, name: " " } }, "socialWorker.name"],
      [
        "an email with no @",
        { socialWorker: { ...SAM, email: "sam.okoro.avonvale.gov.example" } },
        "socialWorker.email",
        /socialWorker\.email \(sam\.okoro\.avonvale\.gov\.example\) does not look like an email address/,
      ],
      [
        "an email with a space",
        { socialWorker: { ...SAM, email: "sam okoro@avonvale.gov.example" } },
        "socialWorker.email",
      ],
      [
        "a valid social worker with an on-call manager whose email has no domain",
        { onCallManager: { name: "Priya Shah", email: "priya.shah@avonvale" } },
        "onCallManager.email",
      ],
      [
        "an on-call manager's phone over 40 characters",
        { onCallManager: { name: "Priya Shah", phone: "0".repeat(41) } },
        "onCallManager.phone",
      ],
      ["a role over 200 characters", { socialWorker: { ...SAM, role: "x".repeat(201) } }, "socialWorker.role"],
      ["no recorder", { recordedBy: " " }, "recordedBy"],
    ])(
      "refuses %s and changes nothing: no contact, no event, no audit entry",
      async (_case, change, field, message) => {
        await expectRefused(() => service.recordCareTeam({ ...valid(), ...change }), field, message);
      },
    );

    it("refuses a social worker allocating a child to themselves, changing nothing", async () => {
      const self = {
        requestId: "self-allocation",
        grant: testGrant("SOCIAL_WORKER", { email: SAM.email }),
        audited: false,
      };
      const before = await contactsOf(JAYDEN);
      await expect(service.recordCareTeam(valid(), self)).rejects.toMatchObject({
        extensions: { code: "FORBIDDEN", field: "socialWorker.email" },
      });
      expect(await contactsOf(JAYDEN)).toEqual(before);
    });

    it("records Jayden's new social worker, keeps his on-call manager, and tells the alerts service both", async () => {
      const [before] = (await contactsOf(JAYDEN)).filter((c) => c.kind === "SOCIAL_WORKER");
      expect(before).toMatchObject({ name: "Aisha Karim", email: null });
      let record: { nhsNumber: string } | undefined;
      const event = await careTeamEvents(async () => {
        record = await service.recordCareTeam(valid());
      });
      expect(record).toMatchObject({ nhsNumber: JAYDEN, source: { agency: "SOCIAL_CARE" } });

      const contacts = await service.createLoaders().contacts(JAYDEN);
      expect(contacts?.get("SOCIAL_WORKER")).toMatchObject({
        person: {
          name: "Sam Okoro",
          role: "Social worker",
          phone: "01632 960 360",
          email: "sam.okoro@avonvale.gov.example",
          team: null,
        },
        recordedBy: "Graham Boateng",
        source: { agency: "SOCIAL_CARE", department: "Children's Services" },
      });
      expect(contacts?.get("ON_CALL_MANAGER")?.person.name).toBe("Fiona Castell");

      expect(event).toMatchObject({
        agency: "SOCIAL_CARE",
        childId: JAYDEN,
        area: "north-avonvale",
        occurredAt: event.recordedAt,
        summary:
          "Jayden Okafor (999 000 0026): allocated social worker Sam Okoro, named on-call manager Fiona Castell.",
        data: {
          socialWorker: { name: "Sam Okoro", email: "sam.okoro@avonvale.gov.example" },
          onCallManager: { name: "Fiona Castell", email: "fiona.castell@avonvale.gov.example" },
        },
      });

      const [audit] = (await auditLog()).filter((e) => e.operation === "recordCareTeam");
      expect(audit).toMatchObject({ action: "WRITE", outcome: "OK", child_ids: JSON.stringify([JAYDEN]) });
      expect(JSON.parse(audit.before_json!)).toEqual([before]);
      expect(JSON.parse(audit.after_json!)).toEqual([
        expect.objectContaining({ kind: "SOCIAL_WORKER", name: "Sam Okoro" }),
      ]);
    });

    it("replaces them on a later call, one row each, and the event names the people as they now are", async () => {
      const onCall = await careTeamEvents(() =>
        service.recordCareTeam({
          childId: TOMASZ,
          onCallManager: { name: "Priya Shah", role: "Service manager", email: "priya.shah@avonvale.gov.example" },
          recordedBy: "Graham Boateng",
        }),
      );
      expect(onCall.data).toEqual({
        socialWorker: null,
        onCallManager: { name: "Priya Shah", email: "priya.shah@avonvale.gov.example" },
      });

      const both = await careTeamEvents(() =>
        service.recordCareTeam({
          childId: TOMASZ,
          socialWorker: { ...SAM, team: "Children in Care Team 1" },
          onCallManager: { name: "Dev Mistry", phone: "07700 900 470" },
          recordedBy: "Priya Shah",
        }),
      );
      expect(both.data).toEqual({
        socialWorker: { name: "Sam Okoro", email: "sam.okoro@avonvale.gov.example" },
        onCallManager: null,
      });
      expect(both.summary).toBe(
        "Tomasz Nowakowski (999 000 0042): allocated social worker Sam Okoro, named on-call manager Dev Mistry (no email recorded).",
      );

      const rows = await contactsOf(TOMASZ);
      expect(rows.map((c) => [c.kind, c.name, c.role, c.team, c.recorded_by])).toEqual([
        ["ON_CALL_MANAGER", "Dev Mistry", "Named on-call manager", null, "Priya Shah"],
        ["SOCIAL_WORKER", "Sam Okoro", "Social worker", "Children in Care Team 1", "Priya Shah"],
      ]);
    });
  });

  describe("recordStrategyDiscussion", () => {
    const heldAt = hoursAgo(2);
    const valid = (): RecordStrategyDiscussionInput => ({
      childId: AMBER,
      heldAt,
      chairedBy: "Graham Boateng, team manager",
      agenciesPresent: ["Children's Services", "Police Child Exploitation Team"],
      decisions: ["Section 47 enquiry continues"],
      actions: [{ action: "Visit the placement", owner: "Leah Marsh", dueAt: daysAhead(2) }],
      minutesSharedAt: null,
    });

    it.each<Refusal<RecordStrategyDiscussionInput>>([
      ...unknownChildren<RecordStrategyDiscussionInput>(),
      ["a single agency", { agenciesPresent: ["Children's Services"] }, "agenciesPresent", /at least two agencies/],
      ["no agencies", { agenciesPresent: [] }, "agenciesPresent"],
      ["a blank agency", { agenciesPresent: ["Children's Services", " "] }, "agenciesPresent[1]"],
      [
        "minutes shared before the meeting",
        { minutesSharedAt: new Date(heldAt.getTime() - 60_000) },
        "minutesSharedAt",
        /minutesSharedAt .* is before heldAt/,
      ],
      ["minutes shared in the future", { minutesSharedAt: daysAhead(1) }, "minutesSharedAt"],
      [
        "an action due before the meeting",
        { actions: [{ action: "Visit", owner: "Leah Marsh", dueAt: daysAgo(1) }] },
        "actions[0].dueAt",
        /before the meeting time/,
      ],
      [
        "an action with no owner",
        { actions: [{ action: "Visit", owner: " ", dueAt: daysAhead(1) }] },
        "actions[0].owner",
      ],
      [
        "an action with no description",
        { actions: [{ action: "", owner: "Leah Marsh", dueAt: daysAhead(1) }] },
        "actions[0].action",
      ],
      ["a meeting in the future", { heldAt: daysAhead(1) }, "heldAt"],
      ["no chair", { chairedBy: "" }, "chairedBy"],
      ["a blank decision", { decisions: [""] }, "decisions[0]"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.recordStrategyDiscussion({ ...valid(), ...change }), field, message);
    });

    it("records a discussion with its actions open and the minutes not yet shared, listed first", async () => {
      const discussion = await service.recordStrategyDiscussion(valid());
      expect(discussion).toMatchObject({
        chairedBy: "Graham Boateng, team manager",
        agenciesPresent: ["Children's Services", "Police Child Exploitation Team"],
        decisions: ["Section 47 enquiry continues"],
        minutesSharedAt: null,
      });
      expect(discussion.actions).toEqual([
        { action: "Visit the placement", owner: "Leah Marsh", dueAt: expect.any(Date), doneAt: null },
      ]);
      const listed = (await service.createLoaders().strategyDiscussions(AMBER)) ?? [];
      expect(listed.map((d) => d.id)).toEqual([discussion.id, MINUTES_NOT_SHARED, MINUTES_SHARED]);
      expect(listed[0]).toEqual(discussion);
    });

    it("records minutes shared at the meeting itself", async () => {
      const discussion = await service.recordStrategyDiscussion({
        ...valid(),
        childId: JAYDEN,
        minutesSharedAt: heldAt,
        actions: [],
      });
      expect(discussion.minutesSharedAt?.toISOString()).toBe(heldAt.toISOString());
    });
  });

  describe("recordStrategyMinutesShared", () => {
    const valid = (): RecordStrategyMinutesSharedInput => ({
      strategyDiscussionId: MINUTES_NOT_SHARED,
      sharedAt: minutesAgo(5),
      recordedBy: "Graham Boateng",
    });

    it.each<Refusal<RecordStrategyMinutesSharedInput>>([
      ["an unknown discussion", { strategyDiscussionId: "SD-none" }, "strategyDiscussionId", /SD-none/],
      [
        "minutes already shared",
        { strategyDiscussionId: MINUTES_SHARED },
        "strategyDiscussionId",
        /SD-0018-01 were already shared/,
      ],
      [
        "a time before the discussion",
        { sharedAt: daysAgo(12) },
        "sharedAt",
        /sharedAt .* is before the time the discussion was held/,
      ],
      ["a time in the future", { sharedAt: daysAhead(1) }, "sharedAt"],
      ["no recorder", { recordedBy: " " }, "recordedBy"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.recordStrategyMinutesShared({ ...valid(), ...change }), field, message);
    });

    it("records when the minutes were shared, then refuses to record it again", async () => {
      const sharedAt = minutesAgo(5);
      const discussion = await service.recordStrategyMinutesShared({ ...valid(), sharedAt });
      expect(discussion).toMatchObject({ id: MINUTES_NOT_SHARED, recordedBy: "Graham Boateng" });
      expect(discussion.minutesSharedAt?.toISOString()).toBe(sharedAt.toISOString());
      const stored = (await service.createLoaders().strategyDiscussions(AMBER))?.find(
        (d) => d.id === MINUTES_NOT_SHARED,
      );
      expect(stored).toEqual(discussion);
      await expectRefused(() => service.recordStrategyMinutesShared(valid()), "strategyDiscussionId", /already shared/);
    });
  });

  describe("recordRiskManagementMeeting", () => {
    const heldAt = hoursAgo(1);
    const valid = (): RecordRiskManagementMeetingInput => ({
      childId: AMBER,
      heldAt,
      chairedBy: "Fiona Castell, service manager",
      attendees: [
        { agency: "Children's Services", role: "Social worker", name: "Leah Marsh" },
        { agency: "Police", role: "Missing Persons Unit", name: null },
      ],
      risks: [{ category: "CSE", description: "Groomed by adult men met online.", level: MeetingRiskLevel.HIGH }],
      protectiveFactors: ["Trusted pastoral lead at school"],
      actions: [{ action: "Refer to the MACE panel", owner: "Leah Marsh", dueAt: daysAhead(3) }],
      nextReviewAt: daysAhead(28),
      strategyDiscussionNeeded: true,
      strategyDiscussionReason: "New intelligence about the adult 'K'.",
    });
    const attendees = (count: number) =>
      Array.from({ length: count }, () => ({ agency: "Police", role: "Officer", name: null }));
    const risks = (count: number) =>
      Array.from({ length: count }, () => ({
        category: "Missing",
        description: "Goes missing.",
        level: MeetingRiskLevel.MEDIUM,
      }));

    it.each<Refusal<RecordRiskManagementMeetingInput>>([
      ...unknownChildren<RecordRiskManagementMeetingInput>(),
      ["no attendees", { attendees: [] }, "attendees", /attendees is empty/],
      ["more than 40 attendees", { attendees: attendees(41) }, "attendees"],
      ["an attendee with no agency", { attendees: [{ agency: " ", role: "Officer" }] }, "attendees[0].agency"],
      ["no risks", { risks: [] }, "risks", /risks is empty/],
      ["more than 30 risks", { risks: risks(31) }, "risks"],
      [
        "a risk with no description",
        { risks: [{ category: "CSE", description: "", level: MeetingRiskLevel.LOW }] },
        "risks[0].description",
      ],
      ["a review at the meeting time", { nextReviewAt: heldAt }, "nextReviewAt", /nextReviewAt must be after heldAt/],
      ["a review before the meeting", { nextReviewAt: daysAgo(1) }, "nextReviewAt"],
      [
        "no reason about a strategy discussion",
        // The schema cannot send null here; a direct caller of the service can, and is refused.
        { strategyDiscussionReason: null as unknown as string },
        "strategyDiscussionReason",
      ],
      [
        "a blank reason about a strategy discussion",
        { strategyDiscussionNeeded: false, strategyDiscussionReason: "  " },
        "strategyDiscussionReason",
      ],
      [
        "an action due before the meeting",
        { actions: [{ action: "Refer", owner: "Leah Marsh", dueAt: daysAgo(2) }] },
        "actions[0].dueAt",
      ],
      ["a blank protective factor", { protectiveFactors: [""] }, "protectiveFactors[0]"],
      ["a meeting in the future", { heldAt: daysAhead(1), nextReviewAt: daysAhead(30) }, "heldAt"],
      ["no chair", { chairedBy: "" }, "chairedBy"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.recordRiskManagementMeeting({ ...valid(), ...change }), field, message);
    });

    it("records the meeting in the standard format and lists it", async () => {
      expect(await service.createLoaders().riskManagementMeetings(AMBER)).toEqual([]);
      const meeting = await service.recordRiskManagementMeeting(valid());
      expect(meeting).toMatchObject({
        chairedBy: "Fiona Castell, service manager",
        attendees: [
          { agency: "Children's Services", role: "Social worker", name: "Leah Marsh" },
          { agency: "Police", role: "Missing Persons Unit", name: null },
        ],
        risks: [{ category: "CSE", description: "Groomed by adult men met online.", level: "HIGH" }],
        protectiveFactors: ["Trusted pastoral lead at school"],
        strategyDiscussionNeeded: true,
        strategyDiscussionReason: "New intelligence about the adult 'K'.",
      });
      expect(meeting.actions[0]).toMatchObject({ action: "Refer to the MACE panel", doneAt: null });
      expect(await service.createLoaders().riskManagementMeetings(AMBER)).toEqual([meeting]);
    });

    it("keeps strategyDiscussionNeeded false when it is false", async () => {
      const meeting = await service.recordRiskManagementMeeting({
        ...valid(),
        childId: JAYDEN,
        strategyDiscussionNeeded: false,
        actions: [],
      });
      expect((await service.createLoaders().riskManagementMeetings(JAYDEN))?.[0]).toMatchObject({
        id: meeting.id,
        strategyDiscussionNeeded: false,
      });
    });
  });

  describe("recordReturnInterview", () => {
    const valid = (): RecordReturnInterviewInput => ({
      childId: AMBER,
      missingEpisodeId: "ME-0018-04",
      heldAt: hoursAgo(3),
      conductedBy: "Independent return interview worker",
      summary: "Talked about the footbridge; agreed a safety plan.",
    });

    it.each<Refusal<RecordReturnInterviewInput>>([
      ...unknownChildren<RecordReturnInterviewInput>(),
      [
        "a second interview for the same episode",
        { missingEpisodeId: "ME-0018-01" },
        "missingEpisodeId",
        /ME-0018-01 is already recorded/,
      ],
      ["an interview in the future", { heldAt: daysAhead(1) }, "heldAt"],
      ["no missing episode", { missingEpisodeId: " " }, "missingEpisodeId"],
      ["a missing episode id over 40 characters", { missingEpisodeId: "M".repeat(41) }, "missingEpisodeId"],
      ["no interviewer", { conductedBy: "" }, "conductedBy"],
      ["a summary over 2000 characters", { summary: "x".repeat(2001) }, "summary"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.recordReturnInterview({ ...valid(), ...change }), field, message);
    });

    it("records an interview, lists it first, then refuses a second one for that episode", async () => {
      const interview = await service.recordReturnInterview(valid());
      expect(interview).toMatchObject({
        missingEpisodeId: "ME-0018-04",
        conductedBy: "Independent return interview worker",
      });
      const listed = (await service.createLoaders().returnInterviews(AMBER)) ?? [];
      expect(listed.map((i) => i.missingEpisodeId)).toEqual(["ME-0018-04", "ME-0018-02", "ME-0018-01"]);
      expect(listed[0]).toEqual(interview);
      await expectRefused(
        () => service.recordReturnInterview({ ...valid(), heldAt: hoursAgo(1) }),
        "missingEpisodeId",
        /ME-0018-04 is already recorded/,
      );
    });
  });
});
