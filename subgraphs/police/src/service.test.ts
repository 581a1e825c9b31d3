import "reflect-metadata";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_CHILD_ID,
  insertSubjects,
  seedDemoData,
  subjectRow,
  syntheticChildren,
  type SubjectTables,
} from "@safeguarding/kit";
import { testBackends, type TestStore, expectBadInput } from "@safeguarding/kit/testing";
import { parseEvent, type OutboxTables, type SafeguardingEvent } from "@safeguarding/shared/events";
import { policeSubgraph } from "./definition.js";
import { MissingEpisodeStatus, ReturnedTo, RiskLevel } from "./entities.js";
import {
  createPoliceService,
  type PoliceService,
  type RecordFound,
  type RecordSeniorManagerNotification,
  type ReportMissing,
} from "./service.js";
import type { PoliceDatabase } from "./store.js";

const backends = testBackends(policeSubgraph);

const JAYDEN = "9990000026";
const TOMASZ = "9990000042";
const REUBEN = "9990000069";
/** Known to social care and health, not to the police. */
const MAISIE = "9990000034";
/** A valid NHS number (check digit right) that no agency holds. */
const NOBODY = "9990000999";
const AMBER_FOUND_AT_PLACEMENT = "ME-0018-01";
const AMBER_STILL_MISSING = "ME-0018-05";
const TOMASZ_STILL_MISSING = "ME-0042-02";
const MAX_HELD_MINUTES = 7 * 24 * 60;

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const hoursAgo = (hours: number) => minutesAgo(hours * 60);
const hoursAhead = (hours: number) => new Date(Date.now() + hours * 3600_000);
const EVENT_ORDER = ["MISSING_REPORTED", "FOUND", "HELD_AT_POLICE_STATION"];
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

type Refusal<T> = [string, Partial<T>, string, RegExp?];

describe.each(backends)("police service on $name", (backend) => {
  let opened: TestStore<PoliceDatabase>;
  let db: Kysely<PoliceDatabase>;
  let service: PoliceService;

  /** Every row in every police table, to show a refused write left the store exactly as it was. */
  const snapshot = async () => ({
    subjects: await db.selectFrom("subjects").selectAll().orderBy("nhs_number").execute(),
    missingEpisodes: await db.selectFrom("missing_episodes").selectAll().orderBy("id").execute(),
    policeProtection: await db.selectFrom("police_protection").selectAll().orderBy("id").execute(),
    cseConcerns: await db.selectFrom("cse_concerns").selectAll().orderBy("id").execute(),
    warningMarkers: await db.selectFrom("warning_markers").selectAll().orderBy("id").execute(),
    officersInCase: await db.selectFrom("officers_in_case").selectAll().orderBy("nhs_number").execute(),
    outbox: await outbox(),
  });

  const outbox = () => (db as unknown as Kysely<OutboxTables>).selectFrom("outbox").selectAll().orderBy("id").execute();

  /** The events a write left in the outbox, each row checked against its body, in the order they were written. */
  async function eventsOf(write: () => Promise<unknown>): Promise<SafeguardingEvent[]> {
    const before = new Set((await outbox()).map((row) => row.id));
    await write();
    const added = (await outbox()).filter((row) => !before.has(row.id));
    return added
      .map((row) => {
        const event = parseEvent(JSON.parse(row.body));
        expect(row).toMatchObject({ id: event.id, kind: event.kind, child_id: event.childId, published_at: null });
        expect(row.attempts).toBe(0);
        return event;
      })
      .sort((a, b) => EVENT_ORDER.indexOf(a.kind) - EVENT_ORDER.indexOf(b.kind));
  }

  async function expectRefused(write: () => Promise<unknown>, field: string, message?: RegExp): Promise<void> {
    const before = await snapshot();
    expect(before.missingEpisodes.length).toBeGreaterThan(0);
    await expectBadInput(write(), field, message ?? new RegExp(escape(field)));
    expect(await snapshot()).toEqual(before);
  }

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
    expect(await seedDemoData(policeSubgraph, db)).toBe(true);
    service = createPoliceService(db);
  });
  afterAll(async () => opened?.cleanup());

  describe("protocolWatch: the children whose protocol steps may still fall due", () => {
    const daysAgo = (days: number) => hoursAgo(days * 24);

    it("names children with an episode reported or closed since the time given, and police protection started since", async () => {
      // Before any write in this file: Amber's episodes 24, 12 and 0 days ago, Tomasz's 20 and 1; Jayden's only
      // episode is 80 days old and Reuben's 33.
      const watched = await service.protocolWatch(daysAgo(30));
      expect(watched).toEqual(expect.arrayContaining([DEMO_CHILD_ID, TOMASZ]));
      expect(watched).not.toContain(JAYDEN);
      expect(watched).not.toContain(REUBEN);
      expect(new Set(watched).size).toBe(watched.length);
      // Reuben's episode is in a 34-day look.
      expect(await service.protocolWatch(daysAgo(34))).toContain(REUBEN);
    });

    it("names nobody when nothing has happened since", async () => {
      expect(await service.protocolWatch(hoursAhead(1))).toEqual([]);
    });
  });

  describe("reportMissing", () => {
    const valid = (): ReportMissing => ({
      childId: REUBEN,
      reportedAt: minutesAgo(30),
      reportedBy: "Mother, by phone",
      lastSeenAt: minutesAgo(150),
      lastSeenLocation: "Park near home",
      circumstances: "Did not come home after football.",
      riskLevel: RiskLevel.LOW,
      cseIndicators: false,
      department: "Response and Patrol",
    });

    it.each<Refusal<ReportMissing>>([
      ["an unknown child", { childId: NOBODY }, "childId", /NHS number 9990000999/],
      ["a child the police do not know", { childId: MAISIE }, "childId", /NHS number 9990000034/],
      ["a malformed NHS number", { childId: "12345" }, "childId", /childId|NHS number/],
      ["a report time in the future", { reportedAt: hoursAhead(2) }, "reportedAt"],
      ["an invalid report time", { reportedAt: new Date("not a date") }, "reportedAt"],
      ["a last-seen time in the future", { lastSeenAt: hoursAhead(1), reportedAt: minutesAgo(1) }, "lastSeenAt"],
      [
        "a last-seen time after the report",
        { lastSeenAt: minutesAgo(10), reportedAt: minutesAgo(30) },
        "reportedAt",
        /reportedAt.*lastSeenAt/,
      ],
      ["no reporter", { reportedBy: "   " }, "reportedBy"],
      ["a reporter over 200 characters", { reportedBy: "x".repeat(201) }, "reportedBy"],
      ["no last-seen location", { lastSeenLocation: "" }, "lastSeenLocation"],
      ["a last-seen location over 500 characters", { lastSeenLocation: "x".repeat(501) }, "lastSeenLocation"],
      ["circumstances over 2000 characters", { circumstances: "x".repeat(2001) }, "circumstances"],
      ["no department", { department: " " }, "department"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.reportMissing({ ...valid(), ...change }), field, message);
    });

    it("records a report as MISSING, trimmed, and lists it first", async () => {
      const episode = await service.reportMissing({
        ...valid(),
        reportedBy: "  Mother, by phone  ",
        circumstances: "  ",
      });
      expect(episode).toMatchObject({
        status: MissingEpisodeStatus.MISSING,
        reportedBy: "Mother, by phone",
        circumstances: null,
        riskLevel: RiskLevel.LOW,
        cseIndicators: false,
        foundAt: null,
        returnedTo: null,
        recordedBy: "Mother, by phone",
        source: { agency: "POLICE", department: "Response and Patrol" },
      });
      const listed = await service.createLoaders().missingEpisodes(REUBEN);
      expect(listed?.map((e) => e.id)).toEqual([episode.id, "ME-0069-01"]);
    });

    it.each([
      ["Reuben, just reported", REUBEN],
      ["Amber, missing in the demo data", DEMO_CHILD_ID],
    ])("refuses a second report while %s is still missing", async (_case, childId) => {
      const open = await db
        .selectFrom("missing_episodes")
        .select("id")
        .where("nhs_number", "=", childId)
        .where("found_at", "is", null)
        .executeTakeFirstOrThrow();
      await expectRefused(
        () => service.reportMissing({ ...valid(), childId }),
        "childId",
        new RegExp(`already reported missing \\(episode ${open.id}\\)`),
      );
    });
  });

  describe("recordFound", () => {
    let open: string;
    // Reported eight days ago, so that a full week held at a police station still ends before now.
    const reportedAt = hoursAgo(8 * 24);

    beforeAll(async () => {
      const episode = await service.reportMissing({
        childId: JAYDEN,
        reportedAt,
        reportedBy: "Foster carer",
        lastSeenAt: new Date(reportedAt.getTime() - 2 * 3600_000),
        lastSeenLocation: "Foster home",
        riskLevel: RiskLevel.MEDIUM,
        cseIndicators: false,
        department: "Missing Persons Unit",
      });
      open = episode.id;
    });

    const found = (change: Partial<RecordFound> = {}): RecordFound => ({
      episodeId: open,
      foundAt: minutesAgo(60),
      foundLocation: "Town centre",
      foundBy: "PC 2290 Hannah Lloyd",
      returnedTo: ReturnedTo.POLICE_STATION,
      heldAtPoliceStationMinutes: 45,
      ...change,
    });

    it.each<Refusal<RecordFound>>([
      ["an unknown episode", { episodeId: "ME-none" }, "episodeId", /ME-none/],
      [
        "an episode already closed",
        { episodeId: AMBER_FOUND_AT_PLACEMENT },
        "episodeId",
        /ME-0018-01 was already closed/,
      ],
      [
        "a time before the report",
        { foundAt: new Date(reportedAt.getTime() - 60_000) },
        "foundAt",
        /foundAt .* is before/,
      ],
      ["a time in the future", { foundAt: hoursAhead(1) }, "foundAt"],
      ["an invalid time", { foundAt: new Date("soon") }, "foundAt"],
      ["a negative time held at the station", { heldAtPoliceStationMinutes: -1 }, "heldAtPoliceStationMinutes"],
      [
        "more than a week held at the station",
        { heldAtPoliceStationMinutes: MAX_HELD_MINUTES + 1 },
        "heldAtPoliceStationMinutes",
      ],
      [
        "time held when returned to the placement",
        { returnedTo: ReturnedTo.PLACEMENT },
        "heldAtPoliceStationMinutes",
        /POLICE_STATION/,
      ],
      [
        "more time held than has passed since the child was found",
        { foundAt: minutesAgo(10), heldAtPoliceStationMinutes: 45 },
        "heldAtPoliceStationMinutes",
        /longer than the time since the child was found/,
      ],
      [
        "time held when returned home",
        { returnedTo: ReturnedTo.FAMILY_HOME, heldAtPoliceStationMinutes: 0 },
        "heldAtPoliceStationMinutes",
      ],
      ["no found location", { foundLocation: "" }, "foundLocation"],
      ["a found location over 500 characters", { foundLocation: "x".repeat(501) }, "foundLocation"],
      ["no finder", { foundBy: "  " }, "foundBy"],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.recordFound(found(change)), field, message);
    });

    it("closes the episode, keeps the report, raises CSE indicators and risk, then refuses to close it again", async () => {
      const foundAt = new Date(reportedAt.getTime() + 20 * 3600_000);
      const closed = await service.recordFound(
        found({
          foundAt,
          heldAtPoliceStationMinutes: MAX_HELD_MINUTES,
          cseIndicators: true,
          riskLevel: RiskLevel.HIGH,
        }),
      );
      expect(closed).toMatchObject({
        id: open,
        status: MissingEpisodeStatus.FOUND,
        returnedTo: ReturnedTo.POLICE_STATION,
        heldAtPoliceStationMinutes: MAX_HELD_MINUTES,
        cseIndicators: true,
        riskLevel: RiskLevel.HIGH,
        reportedBy: "Foster carer",
        recordedBy: "PC 2290 Hannah Lloyd",
        seniorManagerNotifiedAt: null,
      });
      expect(closed.reportedAt.toISOString()).toBe(reportedAt.toISOString());
      expect(closed.foundAt?.toISOString()).toBe(foundAt.toISOString());
      await expectRefused(() => service.recordFound(found()), "episodeId", new RegExp(`${open} was already closed`));
    });
  });

  describe("recordSeniorManagerNotification", () => {
    const notification = (change: Partial<RecordSeniorManagerNotification> = {}): RecordSeniorManagerNotification => ({
      episodeId: TOMASZ_STILL_MISSING,
      notifiedAt: minutesAgo(5),
      seniorManager: "Fiona Castell, service manager",
      recordedBy: "Custody sergeant 1187",
      ...change,
    });

    beforeAll(async () => {
      await service.recordFound({
        episodeId: TOMASZ_STILL_MISSING,
        foundAt: minutesAgo(60),
        foundLocation: "Train station",
        foundBy: "PC 4471 Daniel Osei",
        returnedTo: ReturnedTo.POLICE_STATION,
      });
    });

    it.each<Refusal<RecordSeniorManagerNotification>>([
      ["an unknown episode", { episodeId: "ME-none" }, "episodeId", /ME-none/],
      [
        "an episode that ended at the placement",
        { episodeId: AMBER_FOUND_AT_PLACEMENT },
        "episodeId",
        /did not end at a police station/,
      ],
      ["an episode still open", { episodeId: AMBER_STILL_MISSING }, "episodeId", /did not end at a police station/],
      ["a time in the future", { notifiedAt: hoursAhead(1) }, "notifiedAt"],
      ["an invalid time", { notifiedAt: new Date("") }, "notifiedAt"],
      ["no senior manager", { seniorManager: "" }, "seniorManager"],
      ["a recorder over 200 characters", { recordedBy: "x".repeat(201) }, "recordedBy"],
      [
        "a time before the child was found",
        { notifiedAt: minutesAgo(120) },
        "notifiedAt",
        /before the time the child was found/,
      ],
    ])("refuses %s and writes nothing", async (_case, change, field, message) => {
      await expectRefused(() => service.recordSeniorManagerNotification(notification(change)), field, message);
    });

    it("records who was told and when, on an episode that ended at a police station with no time held", async () => {
      const notifiedAt = minutesAgo(5);
      const episode = await service.recordSeniorManagerNotification(notification({ notifiedAt }));
      await expectRefused(
        () => service.recordSeniorManagerNotification(notification()),
        "episodeId",
        /already recorded as told/,
      );
      expect(episode).toMatchObject({
        id: TOMASZ_STILL_MISSING,
        heldAtPoliceStationMinutes: null,
        seniorManagerNotified: "Fiona Castell, service manager",
        recordedBy: "Custody sergeant 1187",
      });
      expect(episode.seniorManagerNotifiedAt?.toISOString()).toBe(notifiedAt.toISOString());
      const [newest] = (await service.createLoaders().missingEpisodes(TOMASZ)) ?? [];
      expect(newest).toEqual(episode);
    });
  });

  describe("from report to found to notification, read back through the loaders", () => {
    const [child] = syntheticChildren(1, 99);

    beforeAll(async () => {
      await insertSubjects(db as unknown as Kysely<SubjectTables>, [
        subjectRow(child, new Date(), policeSubgraph.identityDepartment),
      ]);
    });

    it("shows each step to a fresh set of loaders, newest episode first", async () => {
      const reportedAt = hoursAgo(6);
      const reported = await service.reportMissing({
        childId: child.nhsNumber,
        reportedAt,
        reportedBy: "Children's home night staff",
        lastSeenAt: hoursAgo(7),
        lastSeenLocation: "Children's home",
        circumstances: "Climbed out of a window after lights out.",
        riskLevel: RiskLevel.HIGH,
        cseIndicators: true,
        department: "Missing Persons Unit",
      });
      expect(await service.createLoaders().missingEpisodes(child.nhsNumber)).toEqual([reported]);

      const foundAt = hoursAgo(2);
      await service.recordFound({
        episodeId: reported.id,
        foundAt,
        foundLocation: "Service station on the ring road",
        foundBy: "PC 2290 Hannah Lloyd",
        returnedTo: ReturnedTo.POLICE_STATION,
        heldAtPoliceStationMinutes: 95,
      });
      const afterFound = (await service.createLoaders().missingEpisodes(child.nhsNumber))?.[0];
      expect(afterFound).toMatchObject({
        id: reported.id,
        status: MissingEpisodeStatus.FOUND,
        foundLocation: "Service station on the ring road",
        returnedTo: ReturnedTo.POLICE_STATION,
        heldAtPoliceStationMinutes: 95,
        cseIndicators: true,
        riskLevel: RiskLevel.HIGH,
        seniorManagerNotifiedAt: null,
        seniorManagerNotified: null,
      });
      expect(afterFound?.foundAt?.toISOString()).toBe(foundAt.toISOString());

      const notifiedAt = hoursAgo(1);
      await service.recordSeniorManagerNotification({
        episodeId: reported.id,
        notifiedAt,
        seniorManager: "Fiona Castell, service manager",
        recordedBy: "Custody sergeant 1187",
      });
      const loaders = service.createLoaders();
      const [notified] = (await loaders.missingEpisodes(child.nhsNumber)) ?? [];
      expect(notified.seniorManagerNotifiedAt?.toISOString()).toBe(notifiedAt.toISOString());
      expect(notified).toMatchObject({
        seniorManagerNotified: "Fiona Castell, service manager",
        recordedBy: "Custody sergeant 1187",
      });
      expect(await loaders.policeProtection(child.nhsNumber)).toEqual([]);
      expect(await loaders.officerInCase(child.nhsNumber)).toBeNull();

      // Once found, the child can be reported missing again; the new episode lists first.
      const again = await service.reportMissing({
        childId: child.nhsNumber,
        reportedAt: minutesAgo(10),
        reportedBy: "Children's home night staff",
        lastSeenAt: minutesAgo(40),
        lastSeenLocation: "Children's home",
        riskLevel: RiskLevel.HIGH,
        cseIndicators: false,
        department: "Missing Persons Unit",
      });
      expect((await service.createLoaders().missingEpisodes(child.nhsNumber))?.map((e) => e.id)).toEqual([
        again.id,
        reported.id,
      ]);
    });
  });

  describe("events for the alerts service, written with the fact", () => {
    // A child of our own, so that the summaries' name and times are known: December is GMT, July is BST.
    const [, , synthetic] = syntheticChildren(3, 5);
    const emily = { ...synthetic, givenName: "Emily", familyName: "Carter", area: "south-avonvale" };
    const emilyNhs = `${emily.nhsNumber.slice(0, 3)} ${emily.nhsNumber.slice(3, 6)} ${emily.nhsNumber.slice(6)}`;
    const CIRCUMSTANCES = "Seen getting into a car with two older men near the Mill Street flat.";
    const report = (change: Partial<ReportMissing> = {}): ReportMissing => ({
      childId: emily.nhsNumber,
      reportedAt: new Date("2024-12-06T21:40:00Z"),
      reportedBy: "Orchard Lane night staff",
      lastSeenAt: new Date("2024-12-06T19:05:00Z"),
      lastSeenLocation: "14 Orchard Lane, Avonvale AV3 2QT",
      circumstances: CIRCUMSTANCES,
      riskLevel: RiskLevel.HIGH,
      cseIndicators: true,
      department: "Missing Persons Unit",
      ...change,
    });
    const found = (episodeId: string, change: Partial<RecordFound> = {}): RecordFound => ({
      episodeId,
      foundAt: new Date("2024-12-07T02:15:00Z"),
      foundLocation: "Mill Street flat",
      foundBy: "PC 2290 Hannah Lloyd",
      returnedTo: ReturnedTo.PLACEMENT,
      cseIndicators: true,
      ...change,
    });
    /** What no summary may carry: circumstances, CSE, where the child was or was found, the placement. */
    const expectNothingSensitive = (event: SafeguardingEvent) => {
      for (const text of [CIRCUMSTANCES, "Mill Street", "Orchard Lane", "AV3", "CSE", "exploit", "sexual"])
        expect(event.summary).not.toContain(text);
      expect(JSON.stringify(event)).not.toMatch(/Mill Street|Orchard Lane|cse/i);
    };

    beforeAll(async () => {
      await insertSubjects(db as unknown as Kysely<SubjectTables>, [
        subjectRow(emily, new Date(), policeSubgraph.identityDepartment),
      ]);
    });

    it("reportMissing writes one MISSING_REPORTED with the area, the episode, the risk and a plain summary", async () => {
      let episode: { id: string } | undefined;
      const events = await eventsOf(async () => (episode = await service.reportMissing(report())));
      expect(events).toEqual([
        {
          id: expect.any(String),
          kind: "MISSING_REPORTED",
          agency: "POLICE",
          childId: emily.nhsNumber,
          area: "south-avonvale",
          occurredAt: "2024-12-06T21:40:00.000Z",
          recordedAt: expect.any(String),
          summary: `Emily Carter (${emilyNhs}) reported missing to police at 21:40 on 6 Dec 2024, risk high.`,
          data: { episodeId: episode!.id, riskLevel: "HIGH" },
        },
      ]);
      expectNothingSensitive(events[0]);

      // Reported again while still missing: refused, and no second event.
      expect(await eventsOf(() => expectBadInput(service.reportMissing(report()), "childId"))).toEqual([]);

      const closing = await eventsOf(() => service.recordFound(found(episode!.id)));
      expect(closing).toEqual([
        expect.objectContaining({
          kind: "FOUND",
          childId: emily.nhsNumber,
          area: "south-avonvale",
          occurredAt: "2024-12-07T02:15:00.000Z",
          summary: `Emily Carter (${emilyNhs}) found at 02:15 on 7 Dec 2024 and returned to their placement.`,
          data: { episodeId: episode!.id, returnedTo: "PLACEMENT" },
        }),
      ]);
      expectNothingSensitive(closing[0]);
    });

    it("recordFound to a police station writes FOUND and HELD_AT_POLICE_STATION, in UK summer time", async () => {
      const episode = await service.reportMissing(
        report({ reportedAt: new Date("2025-07-01T20:15:00Z"), lastSeenAt: new Date("2025-07-01T18:00:00Z") }),
      );
      const foundAt = new Date("2025-07-01T23:30:00Z");
      const events = await eventsOf(() =>
        service.recordFound(
          found(episode.id, { foundAt, returnedTo: ReturnedTo.POLICE_STATION, heldAtPoliceStationMinutes: 90 }),
        ),
      );
      expect(events.map((e) => [e.kind, e.data, e.occurredAt])).toEqual([
        ["FOUND", { episodeId: episode.id, returnedTo: "POLICE_STATION" }, foundAt.toISOString()],
        ["HELD_AT_POLICE_STATION", { episodeId: episode.id }, foundAt.toISOString()],
      ]);
      expect(events[0].summary).toBe(
        `Emily Carter (${emilyNhs}) found at 00:30 on 2 Jul 2025 and taken to a police station.`,
      );
      expect(events[1].summary).toMatch(
        new RegExp(
          `^Emily Carter \\(${emilyNhs}\\) taken to a police station after being found at 00:30 on 2 Jul 2025`,
        ),
      );
      expect(events[1].summary).toMatch(/senior manager/);
      for (const event of events) {
        expect(event).toMatchObject({ agency: "POLICE", childId: emily.nhsNumber, area: "south-avonvale" });
        expectNothingSensitive(event);
      }
    });

    it("writes no event for a refused write: an unknown episode, an episode already closed, a child not known", async () => {
      const refusals = [
        () => expectBadInput(service.recordFound(found("ME-none")), "episodeId"),
        () => expectBadInput(service.recordFound(found(AMBER_FOUND_AT_PLACEMENT)), "episodeId"),
        () => expectBadInput(service.reportMissing(report({ childId: NOBODY })), "childId"),
        () => expectBadInput(service.reportMissing(report({ childId: DEMO_CHILD_ID })), "childId"),
      ];
      for (const refused of refusals) expect(await eventsOf(refused)).toEqual([]);
    });

    it("writes the fact only with its event: an event the contract refuses rolls the episode back", async () => {
      // An area of spaces breaks the event's shape (parseEvent); the episode must not be left without its event.
      const [, , , , child] = syntheticChildren(5, 5);
      await insertSubjects(db as unknown as Kysely<SubjectTables>, [
        { ...subjectRow(child, new Date(), policeSubgraph.identityDepartment), area: "  " },
      ]);
      const episodes = () => db.selectFrom("missing_episodes").select("id").where("nhs_number", "=", child.nhsNumber);
      const events = await eventsOf(() =>
        expect(service.reportMissing(report({ childId: child.nhsNumber }))).rejects.toThrow(/area/),
      );
      expect(events).toEqual([]);
      expect(await episodes().execute()).toEqual([]);
    });
  });
});
