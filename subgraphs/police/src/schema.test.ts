import "reflect-metadata";
import { graphql, type ExecutionResult } from "graphql";
import { SelectQueryNode, TableNode, type Kysely, type KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dateOfBirth,
  DEMO_CHILD_ID,
  DEMO_CHILDREN,
  insertSubjects,
  prng,
  seedDemoData,
  subjectRow,
  syntheticChildren,
  type SubjectTable,
  type SubjectTables,
} from "@safeguarding/kit";
import { testBackends, testRequest, type TestStore } from "@safeguarding/kit/testing";
import { parseEvent, type OutboxTables } from "@safeguarding/shared/events";
import { createContextFactory } from "./context.js";
import { policeSubgraph } from "./definition.js";
import { buildPoliceSchema } from "./schema.js";
import { seedPoliceSynthetic } from "./seed.js";
import type { PoliceDatabase } from "./store.js";

const backends = testBackends(policeSubgraph);

/** Counts the SELECTs each table receives through this Kysely instance. */
function countingSelects(db: Kysely<PoliceDatabase>) {
  const selects = new Map<string, number>();
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      if (SelectQueryNode.is(args.node)) {
        for (const from of args.node.from?.froms ?? []) {
          if (TableNode.is(from))
            selects.set(from.table.identifier.name, (selects.get(from.table.identifier.name) ?? 0) + 1);
        }
      }
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return { db: db.withPlugin(plugin), selects };
}

const POLICE_FIELDS = `
  police {
    source { agency system department }
    missingEpisodes {
      id status reportedAt reportedBy lastSeenAt lastSeenLocation circumstances riskLevel cseIndicators
      foundAt foundLocation foundBy returnedTo heldAtPoliceStationMinutes seniorManagerNotifiedAt seniorManagerNotified
      department recordedAt recordedBy source { agency system department }
    }
    policeProtection { id startedAt endedAt reason initiatingOfficer designatedOfficer recordedAt recordedBy source { agency department } }
    cseConcerns { id summary status officer openedAt recordedAt recordedBy source { agency department } }
    warningMarkers { id marker detail recordedAt recordedBy source { agency department } }
    officerInCase { name role phone email team recordedAt recordedBy source { agency department } }
  }`;

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Child { id ${POLICE_FIELDS} } }
}`;

const SEARCH = `query ($name: String!, $dateOfBirth: String, $limit: Int) {
  policeSubjectSearch(name: $name, dateOfBirth: $dateOfBirth, limit: $limit) {
    nhsNumber givenName familyName knownAs dateOfBirth score source { agency department }
  }
}`;

type Json = any;
const DAY_MS = 24 * 3600_000;
const POLICE_DEMO_IDS = DEMO_CHILDREN.filter((c) => c.knownTo.includes("POLICE")).map((c) => c.nhsNumber);
const MAISIE = "9990000034";
const NOBODY = "9990000999";
const SYNTHETIC_COUNT = 40;

describe.each(backends)("police schema on $name", (backend) => {
  const federated = buildPoliceSchema();
  const now = new Date();
  const synthetic = [...syntheticChildren(SYNTHETIC_COUNT, 11)];
  /** Extra subjects for the name search: accents, and two children with the same name. */
  const searchSubjects: SubjectTable[] = [
    {
      ...subjectRow(synthetic[0], now, "Test"),
      nhs_number: "9990000980",
      given_name: "Renée",
      family_name: "Åkesson",
      known_as: null,
      date_of_birth: "2011-02-03",
    },
    {
      ...subjectRow(synthetic[0], now, "Test"),
      nhs_number: "9990000972",
      given_name: "Ella",
      family_name: "Shaw",
      known_as: null,
      date_of_birth: "2012-03-04",
    },
    {
      ...subjectRow(synthetic[0], now, "Test"),
      nhs_number: "9990000964",
      given_name: "Ella",
      family_name: "Shaw",
      known_as: null,
      date_of_birth: "2013-05-06",
    },
  ];
  let opened: TestStore<PoliceDatabase>;
  let db: Kysely<PoliceDatabase>;

  async function run(
    source: string,
    variableValues: Record<string, unknown>,
    onDb = db,
  ): Promise<ExecutionResult<Json>> {
    const contextValue = createContextFactory(onDb)(testRequest("POLICE_SAFEGUARDING", { facts: "all" }));
    const result = await graphql({ schema: federated.schema, source, variableValues, contextValue });
    // As the gateway would see it: scalars serialised (DateTime values are Date objects until then).
    return JSON.parse(JSON.stringify(result)) as ExecutionResult<Json>;
  }

  it("enforces the access policy in the subgraph itself, field by field", async () => {
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
      ... on Child { police { cseConcerns { status summary officer } warningMarkers { marker detail } } } } }`;
    const asRole = async (role: Parameters<typeof testRequest>[0]) => {
      const contextValue = createContextFactory(db)(testRequest(role));
      const variableValues = { representations: [{ __typename: "Child", id: DEMO_CHILD_ID }] };
      return JSON.parse(
        JSON.stringify(await graphql({ schema: federated.schema, source: query, variableValues, contextValue })),
      ) as ExecutionResult<Json>;
    };
    const officer = await asRole("RESPONSE_OFFICER");
    const concern = officer.data!._entities[0].police.cseConcerns[0];
    expect(concern.status).toBe("UNDER_INVESTIGATION");
    expect(concern.summary).toBeNull();
    expect(officer.errors!.map((e) => e.extensions)).toEqual(
      expect.arrayContaining([
        { code: "FORBIDDEN", field: "CseConcern.summary" },
        { code: "FORBIDDEN", field: "CseConcern.officer" },
      ]),
    );
    const camhs = await asRole("HEALTH_CAMHS");
    expect(camhs.data!._entities[0].police.warningMarkers[0].detail).toBeNull();
    const auditor = await asRole("AUDITOR");
    expect(auditor.data!._entities[0].police).toBeNull();
    expect(auditor.errors![0].extensions).toEqual({ code: "FORBIDDEN", field: "Child.police" });
    const safeguarding = await asRole("POLICE_SAFEGUARDING");
    expect(safeguarding.errors).toBeUndefined();
    expect(safeguarding.data!._entities[0].police.cseConcerns[0].summary).toEqual(expect.any(String));
  });

  const entities = async (ids: string[], onDb = db) => {
    const result = await run(ENTITIES, { representations: ids.map((id) => ({ __typename: "Child", id })) }, onDb);
    expect(result.errors).toBeUndefined();
    return result.data._entities as Json[];
  };

  const search = async (name: string, dateOfBirth?: string, limit?: number) => {
    const result = await run(SEARCH, JSON.parse(JSON.stringify({ name, dateOfBirth, limit })));
    expect(result.errors).toBeUndefined();
    return result.data.policeSubjectSearch as Json[];
  };

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
    expect(await seedDemoData(policeSubgraph, db, now)).toBe(true);
    expect(await seedDemoData(policeSubgraph, db, now)).toBe(false);
    const subjects = db as unknown as Kysely<SubjectTables>;
    await insertSubjects(
      subjects,
      synthetic.map((c) => subjectRow(c, now, policeSubgraph.identityDepartment)),
    );
    await seedPoliceSynthetic(db, synthetic, now, prng(11));
    await insertSubjects(subjects, searchSubjects);
  });
  afterAll(async () => opened?.cleanup());

  it("returns the demo record for 9990000018: repeated missing episodes, a police-station return nobody was told of, CSE", async () => {
    const [child] = await entities([DEMO_CHILD_ID]);
    const police = child.police;
    expect(child.id).toBe(DEMO_CHILD_ID);
    expect(police.source).toMatchObject({ agency: "POLICE", system: "Police records management system" });

    const episodes: Json[] = police.missingEpisodes;
    const reported = episodes.map((e) => Date.parse(e.reportedAt));
    expect(reported).toEqual([...reported].sort((a, b) => b - a));
    expect(
      reported.filter((t) => t >= now.getTime() - 60 * DAY_MS && t <= now.getTime()).length,
    ).toBeGreaterThanOrEqual(4);
    for (const episode of episodes)
      expect(episode.source).toMatchObject({ agency: "POLICE", department: episode.department });

    const atStation = episodes.filter((e) => e.returnedTo === "POLICE_STATION");
    expect(atStation).toHaveLength(1);
    expect(atStation[0]).toMatchObject({ status: "FOUND", seniorManagerNotifiedAt: null, seniorManagerNotified: null });
    expect(atStation[0].heldAtPoliceStationMinutes).toBeGreaterThan(0);
    expect(episodes.filter((e) => e.cseIndicators).length).toBeGreaterThanOrEqual(1);
    expect(episodes[0]).toMatchObject({ status: "MISSING", foundAt: null, returnedTo: null });
    for (const episode of episodes.slice(1)) {
      expect(episode.status).toBe("FOUND");
      expect(Date.parse(episode.foundAt)).toBeGreaterThan(Date.parse(episode.reportedAt));
      expect(Date.parse(episode.lastSeenAt)).toBeLessThanOrEqual(Date.parse(episode.reportedAt));
    }

    expect(police.cseConcerns).toHaveLength(1);
    expect(police.cseConcerns[0]).toMatchObject({
      status: "UNDER_INVESTIGATION",
      officer: "DC Priya Raman",
      source: { agency: "POLICE" },
    });
    expect(police.policeProtection).toHaveLength(1);
    const protection = police.policeProtection[0];
    expect(protection.initiatingOfficer).toBeTruthy();
    expect(protection.designatedOfficer).toBeTruthy();
    // Police protection lasts at most 72 hours (Children Act 1989 s46).
    expect(Date.parse(protection.endedAt) - Date.parse(protection.startedAt)).toBeLessThanOrEqual(72 * 3600_000);
    expect(police.warningMarkers.map((m: Json) => m.marker).sort()).toEqual([
      "CSE_RISK",
      "MISSING_FROM_CARE",
      "SELF_HARM",
    ]);
    expect(police.officerInCase).toMatchObject({
      name: "DS Marcus Fenwick",
      team: "Public Protection Unit",
      source: { agency: "POLICE" },
    });
    expect(police.officerInCase.phone).toMatch(/^01632 960 ?\d{3}$/);
  });

  it("returns null police for children the police do not know", async () => {
    const [maisie, nobody] = await entities([MAISIE, NOBODY]);
    expect(maisie).toEqual({ id: MAISIE, police: null });
    expect(nobody).toEqual({ id: NOBODY, police: null });
  });

  it(`loads ${SYNTHETIC_COUNT + 5} children with one select per table, each child getting its own rows`, async () => {
    const ids = [...POLICE_DEMO_IDS, ...synthetic.map((c) => c.nhsNumber), MAISIE];
    expect(ids.length).toBeGreaterThanOrEqual(20);
    const counted = countingSelects(db);
    const children = await entities(ids, counted.db);
    expect(Object.fromEntries(counted.selects)).toEqual({
      subjects: 1,
      missing_episodes: 1,
      police_protection: 1,
      cse_concerns: 1,
      warning_markers: 1,
      officers_in_case: 1,
    });

    expect(children.map((c: Json) => c.id)).toEqual(ids);
    expect(children.at(-1).police).toBeNull();
    const rows = await db.selectFrom("missing_episodes").select(["id", "nhs_number"]).orderBy("id").execute();
    const syntheticEpisodes = rows.filter((r) => r.nhs_number.startsWith("9991"));
    expect(syntheticEpisodes.length).toBeGreaterThan(2);
    for (const child of children.slice(0, -1)) {
      const own = rows.filter((r) => r.nhs_number === child.id).map((r) => r.id);
      expect(child.police.missingEpisodes.map((e: Json) => e.id).sort()).toEqual(own);
      expect(child.police.officerInCase === null).toBe(child.id !== DEMO_CHILD_ID);
      expect(child.police.cseConcerns.length).toBe(child.id === DEMO_CHILD_ID ? 1 : 0);
    }
  });

  describe("policeSubjectSearch", () => {
    const amber = DEMO_CHILDREN.find((c) => c.nhsNumber === DEMO_CHILD_ID)!;
    const amberBorn = () => dateOfBirth(amber, now);

    it.each([
      ["Amber Whitlok", DEMO_CHILD_ID],
      ["Ambre Whitlock", DEMO_CHILD_ID],
      ["Jaiden Okafor", "9990000026"],
      ["Tomas Nowakowsky", "9990000042"],
    ])("finds %s despite the misspelling", async (name, expected) => {
      const [first] = await search(name);
      expect(first?.nhsNumber).toBe(expected);
      expect(first.score).toBeGreaterThan(0);
      expect(first.score).toBeLessThan(1);
      expect(first.source).toEqual({ agency: "POLICE", department: policeSubgraph.identityDepartment });
    });

    it("ignores accents both ways", async () => {
      const typedWithAccents = await search("Ámber Whítlöck");
      expect(typedWithAccents[0]).toMatchObject({ nhsNumber: DEMO_CHILD_ID, score: 1 });
      const storedWithAccents = await search("renee akesson");
      expect(storedWithAccents[0]).toMatchObject({
        nhsNumber: "9990000980",
        givenName: "Renée",
        familyName: "Åkesson",
        score: 1,
      });
    });

    it("finds no one for a name nobody has", async () => {
      expect(await search("Xavier Quonk")).toEqual([]);
    });

    it("narrows by date of birth", async () => {
      const both = await search("Ella Shaw");
      expect(both.map((s: Json) => s.nhsNumber).sort()).toEqual(["9990000964", "9990000972"]);
      expect(await search("Ella Shaw", "2013-05-06")).toMatchObject([
        { nhsNumber: "9990000964", dateOfBirth: "2013-05-06" },
      ]);
      expect(await search("Ella Shaw", amberBorn())).toEqual([]);
    });

    it("finds a child by date of birth alone, or when every name is misspelt from its first letter", async () => {
      const byDob = await search("", amberBorn());
      expect(byDob.map((s: Json) => s.nhsNumber)).toContain(DEMO_CHILD_ID);
      for (const subject of byDob) expect(subject.dateOfBirth).toBe(amberBorn());
      expect(await search("Ember Vhitlock")).toEqual([]);
      expect((await search("Ember Vhitlock", amberBorn()))[0]?.nhsNumber).toBe(DEMO_CHILD_ID);
    });

    it("keeps to the limit", async () => {
      expect(await search("Ella Shaw", undefined, 1)).toHaveLength(1);
      expect(await search("Ella Shaw", undefined, 50)).toHaveLength(2);
    });

    it.each([0, -1, 51])("refuses limit %i with BAD_USER_INPUT", async (limit) => {
      const result = await run(SEARCH, { name: "Amber", limit });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "limit" });
      expect(result.errors?.[0]?.message).toMatch(/limit/);
      expect(result.data).toBeNull();
    });
  });

  describe("mutations", () => {
    const REPORT = `mutation ($input: ReportMissingInput!) {
      reportMissing(input: $input) { id status reportedAt riskLevel cseIndicators source { agency department } }
    }`;
    const FOUND = `mutation ($input: RecordFoundInput!) {
      recordFound(input: $input) { id status foundAt returnedTo heldAtPoliceStationMinutes }
    }`;
    const NOTIFY = `mutation ($input: RecordSeniorManagerNotificationInput!) {
      recordSeniorManagerNotification(input: $input) { id seniorManagerNotifiedAt seniorManagerNotified }
    }`;
    const episodesTable = () => db.selectFrom("missing_episodes").selectAll().orderBy("id").execute();
    const outboxTable = () =>
      (db as unknown as Kysely<OutboxTables>).selectFrom("outbox").selectAll().orderBy("id").execute();
    const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    const report = (childId: string) => ({
      childId,
      reportedAt: iso(5 * 3600_000),
      reportedBy: "Foster carer",
      lastSeenAt: iso(6 * 3600_000),
      lastSeenLocation: "Foster home",
      riskLevel: "HIGH",
      cseIndicators: true,
      department: "Missing Persons Unit",
    });
    const expectBadUserInput = (result: ExecutionResult<Json>, field: string) => {
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(result.data).toBeNull();
    };

    it("reports Jayden missing, records him found at a police station and the senior manager told", async () => {
      const reported = await run(REPORT, { input: report("9990000026") });
      expect(reported.errors).toBeUndefined();
      const id = reported.data.reportMissing.id;
      expect(reported.data.reportMissing).toMatchObject({
        status: "MISSING",
        riskLevel: "HIGH",
        cseIndicators: true,
        source: { agency: "POLICE", department: "Missing Persons Unit" },
      });

      const foundAt = iso(3 * 3600_000);
      const found = await run(FOUND, {
        input: {
          episodeId: id,
          foundAt,
          foundLocation: "Bus station",
          foundBy: "PC 2290 Hannah Lloyd",
          returnedTo: "POLICE_STATION",
          heldAtPoliceStationMinutes: 120,
        },
      });
      expect(found.errors).toBeUndefined();
      expect(found.data.recordFound).toEqual({
        id,
        status: "FOUND",
        foundAt,
        returnedTo: "POLICE_STATION",
        heldAtPoliceStationMinutes: 120,
      });

      const notifiedAt = iso(2 * 3600_000);
      const notified = await run(NOTIFY, {
        input: { episodeId: id, notifiedAt, seniorManager: "Fiona Castell", recordedBy: "Custody sergeant 1187" },
      });
      expect(notified.errors).toBeUndefined();
      expect(notified.data.recordSeniorManagerNotification).toEqual({
        id,
        seniorManagerNotifiedAt: notifiedAt,
        seniorManagerNotified: "Fiona Castell",
      });

      // The senior manager's notification raises no event; the report and the return to a police station do.
      const events = (await outboxTable())
        .map((row) => parseEvent(JSON.parse(row.body)))
        .filter((e) => e.data.episodeId === id);
      expect(events.map((e) => [e.kind, e.childId, e.data.episodeId]).sort()).toEqual([
        ["FOUND", "9990000026", id],
        ["HELD_AT_POLICE_STATION", "9990000026", id],
        ["MISSING_REPORTED", "9990000026", id],
      ]);

      const [jayden] = await entities(["9990000026"]);
      expect(jayden.police.missingEpisodes[0]).toMatchObject({
        id,
        status: "FOUND",
        heldAtPoliceStationMinutes: 120,
        seniorManagerNotifiedAt: notifiedAt,
      });
    });

    it("refuses bad writes with BAD_USER_INPUT and writes nothing", async () => {
      const before = await episodesTable();
      const outboxBefore = await outboxTable();
      expectBadUserInput(await run(REPORT, { input: report(NOBODY) }), "childId");
      expectBadUserInput(await run(REPORT, { input: report(DEMO_CHILD_ID) }), "childId");
      expectBadUserInput(
        await run(REPORT, { input: { ...report("9990000069"), circumstances: "x".repeat(2001) } }),
        "circumstances",
      );
      expectBadUserInput(
        await run(FOUND, {
          input: {
            episodeId: "ME-0018-05",
            foundAt: iso(0),
            foundLocation: "Home",
            foundBy: "PC",
            returnedTo: "PLACEMENT",
            heldAtPoliceStationMinutes: 30,
          },
        }),
        "heldAtPoliceStationMinutes",
      );
      expectBadUserInput(
        await run(NOTIFY, {
          input: { episodeId: "ME-0018-01", notifiedAt: iso(0), seniorManager: "Fiona Castell", recordedBy: "PC" },
        }),
        "episodeId",
      );
      expect(await episodesTable()).toEqual(before);
      expect(await outboxTable()).toEqual(outboxBefore);
    });
  });
});
