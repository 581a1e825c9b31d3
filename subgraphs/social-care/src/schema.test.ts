import "reflect-metadata";
import { graphql, type ExecutionResult } from "graphql";
import { SelectQueryNode, TableNode, type Kysely, type KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_CHILD_ID,
  DEMO_CHILDREN,
  insertSubjects,
  prng,
  seedDemoData,
  subjectRow,
  syntheticChildren,
  type SubjectTables,
} from "@safeguarding/kit";
import { testBackends, testRequest, type TestStore } from "@safeguarding/kit/testing";
import type { AuditLogTable } from "@safeguarding/shared/audit";
import { parseEvent, type OutboxTables } from "@safeguarding/shared/events";
import { createContextFactory } from "./context.js";
import { socialCareSubgraph } from "./definition.js";
import { buildSocialCareSchema } from "./schema.js";
import { seedSocialCareSynthetic } from "./seed.js";
import type { SocialCareDatabase } from "./store.js";

const backends = testBackends(socialCareSubgraph);

/** Counts the SELECTs each table receives through this Kysely instance. */
function countingSelects(db: Kysely<SocialCareDatabase>) {
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

const RECORDED = "recordedAt recordedBy source { agency system department }";
const PERSON = "person { name role phone email team }";
const ACTIONS = "actions { action owner dueAt doneAt }";
const SOCIAL_CARE_FIELDS = `
  socialCare {
    source { agency system department }
    legalStatus { id code startedAt endedAt court conditions whoDecidesWhereChildLives ${RECORDED} }
    legalStatusHistory { id code startedAt endedAt }
    childProtectionPlan { id category startedAt endedAt ${RECORDED} }
    placement { id typeCode name address carer phone startedAt ${RECORDED} }
    socialWorker { ${PERSON} ${RECORDED} }
    teamManager { ${PERSON} ${RECORDED} }
    onCallManager { ${PERSON} ${RECORDED} }
    outOfHoursPlan { returnTo doNotReturnTo whoToCall { name role phone } legalAdviceRoute notes updatedAt updatedBy ${RECORDED} }
    decisions { id decision decidedBy decidedAt appliesOutOfHours ${RECORDED} }
    strategyDiscussions { id heldAt chairedBy agenciesPresent decisions ${ACTIONS} minutesSharedAt ${RECORDED} }
    riskManagementMeetings {
      id heldAt chairedBy attendees { agency role name } risks { category description level } protectiveFactors ${ACTIONS}
      nextReviewAt strategyDiscussionNeeded strategyDiscussionReason ${RECORDED}
    }
    returnInterviews { id missingEpisodeId heldAt conductedBy summary ${RECORDED} }
    education { school attendancePlan planContact ${RECORDED} }
  }`;

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Child { id ${SOCIAL_CARE_FIELDS} } }
}`;

type Json = any;
const DAY_MS = 24 * 3600_000;
const SOCIAL_CARE_DEMO_IDS = DEMO_CHILDREN.filter((c) => c.knownTo.includes("SOCIAL_CARE")).map((c) => c.nhsNumber);
const REUBEN = "9990000069";
const NOBODY = "9990000999";
const SYNTHETIC_COUNT = 30;
const PHONE = /^0\d{3,4} \d{3} ?\d{3,4}$/;

describe.each(backends)("social-care schema on $name", (backend) => {
  const federated = buildSocialCareSchema();
  const now = new Date();
  const synthetic = [...syntheticChildren(SYNTHETIC_COUNT, 5)];
  let opened: TestStore<SocialCareDatabase>;
  let db: Kysely<SocialCareDatabase>;

  async function run(
    source: string,
    variableValues: Record<string, unknown>,
    onDb = db,
  ): Promise<ExecutionResult<Json>> {
    const contextValue = createContextFactory(onDb)(testRequest("SOCIAL_WORKER", { facts: "all" }));
    const result = await graphql({ schema: federated.schema, source, variableValues, contextValue });
    // As the gateway would see it: scalars serialised (DateTime values are Date objects until then).
    return JSON.parse(JSON.stringify(result)) as ExecutionResult<Json>;
  }

  const entities = async (ids: string[], onDb = db) => {
    const result = await run(ENTITIES, { representations: ids.map((id) => ({ __typename: "Child", id })) }, onDb);
    expect(result.errors).toBeUndefined();
    return result.data._entities as Json[];
  };

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
    expect(await seedDemoData(socialCareSubgraph, db, now)).toBe(true);
    expect(await seedDemoData(socialCareSubgraph, db, now)).toBe(false);
    await insertSubjects(
      db as unknown as Kysely<SubjectTables>,
      synthetic.map((c) => subjectRow(c, now, socialCareSubgraph.identityDepartment)),
    );
    await seedSocialCareSynthetic(db, synthetic, now, prng(5));
  });
  afterAll(async () => opened?.cleanup());

  it("returns the demo record for 9990000018: interim care order, children's home, an out-of-hours plan and no RMM", async () => {
    const [child] = await entities([DEMO_CHILD_ID]);
    const care = child.socialCare;
    expect(care.source).toMatchObject({ agency: "SOCIAL_CARE", department: "Children's Services" });

    expect(care.legalStatus).toMatchObject({ code: "C1", endedAt: null, court: "Family Court sitting at Avonvale" });
    expect(care.legalStatus.conditions).toMatch(/supervised/);
    expect(care.legalStatus.whoDecidesWhereChildLives).toMatch(/local authority .* decides where Amber lives/);
    expect(care.legalStatus.source.agency).toBe("SOCIAL_CARE");
    expect(care.legalStatusHistory.map((s: Json) => s.id)).toEqual([care.legalStatus.id]);
    expect(care.childProtectionPlan).toBeNull();

    expect(care.placement).toMatchObject({ typeCode: "K2", name: "Orchard Lane children's home" });
    expect(care.placement.phone).toMatch(PHONE);
    expect(care.socialWorker.person).toMatchObject({ name: "Leah Marsh", role: "Social worker" });
    expect(care.teamManager.person.name).toBe("Graham Boateng");
    expect(care.onCallManager.person).toMatchObject({ name: "Fiona Castell" });
    expect(care.onCallManager.person.phone).toMatch(PHONE);

    const plan = care.outOfHoursPlan;
    expect(plan.returnTo).toMatch(/^Orchard Lane children's home/);
    expect(plan.doNotReturnTo.some((place: string) => /mother's address/i.test(place))).toBe(true);
    expect(plan.whoToCall[0]).toEqual({
      name: "Fiona Castell",
      role: expect.stringMatching(/on-call manager/),
      phone: care.onCallManager.person.phone,
    });
    for (const person of plan.whoToCall) expect(person.phone).toMatch(PHONE);
    expect(plan.legalAdviceRoute).toBeTruthy();
    expect(plan.updatedBy).toBe(plan.recordedBy);

    const decided = care.decisions.map((d: Json) => Date.parse(d.decidedAt));
    expect(decided).toEqual([...decided].sort((a, b) => b - a));
    expect(care.decisions.filter((d: Json) => d.appliesOutOfHours).length).toBe(2);
    expect(care.decisions.filter((d: Json) => !d.appliesOutOfHours).length).toBe(1);
    expect(
      care.decisions.some(
        (d: Json) => d.appliesOutOfHours && /police station is not suitable accommodation/i.test(d.decision),
      ),
    ).toBe(true);

    expect(care.strategyDiscussions).toHaveLength(2);
    const [latest, earlier] = care.strategyDiscussions;
    expect(Date.parse(latest.heldAt)).toBeGreaterThan(Date.parse(earlier.heldAt));
    expect(latest.minutesSharedAt).toBeNull();
    expect(Date.parse(earlier.minutesSharedAt)).toBeGreaterThan(Date.parse(earlier.heldAt));
    for (const discussion of care.strategyDiscussions)
      expect(discussion.agenciesPresent.length).toBeGreaterThanOrEqual(2);
    expect(latest.actions.some((a: Json) => a.doneAt === null)).toBe(true);

    expect(care.riskManagementMeetings).toEqual([]);
    expect(care.returnInterviews.map((r: Json) => r.missingEpisodeId)).toEqual(["ME-0018-02", "ME-0018-01"]);
    for (const interview of care.returnInterviews)
      expect(Date.parse(interview.heldAt)).toBeLessThan(now.getTime() - 30 * DAY_MS);
    expect(care.education).toMatchObject({
      school: "Avonvale Academy",
      planContact: expect.stringMatching(/pastoral lead/),
    });
    expect(care.education.attendancePlan).toMatch(/every day/);
  });

  it("holds the other demo children: Jayden accommodated under s20, Maisie on a plan, Tomasz on a care order", async () => {
    const children = await entities(SOCIAL_CARE_DEMO_IDS);
    const byId = new Map(children.map((c: Json) => [c.id, c.socialCare]));
    expect(byId.get("9990000026").legalStatus).toMatchObject({ code: "V2", court: null });
    expect(byId.get("9990000034")).toMatchObject({
      legalStatus: null,
      placement: null,
      childProtectionPlan: { category: "NEG", endedAt: null },
    });
    expect(byId.get("9990000042").legalStatus.code).toBe("C2");
    expect(byId.get("9990000042").placement.typeCode).toBe("K2");
    expect(byId.get("9990000042").decisions[0].appliesOutOfHours).toBe(true);
  });

  it("returns null socialCare for children social care does not know", async () => {
    const [reuben, nobody] = await entities([REUBEN, NOBODY]);
    expect(reuben).toEqual({ id: REUBEN, socialCare: null });
    expect(nobody).toEqual({ id: NOBODY, socialCare: null });
  });

  it(`loads ${SYNTHETIC_COUNT + 5} children with one select per table, each child getting its own rows`, async () => {
    const ids = [...SOCIAL_CARE_DEMO_IDS, ...synthetic.map((c) => c.nhsNumber), REUBEN];
    expect(ids.length).toBeGreaterThanOrEqual(20);
    const counted = countingSelects(db);
    const children = await entities(ids, counted.db);
    expect(Object.fromEntries(counted.selects)).toEqual({
      subjects: 1,
      legal_statuses: 1,
      child_protection_plans: 1,
      placements: 1,
      contacts: 1,
      out_of_hours_plans: 1,
      decisions: 1,
      strategy_discussions: 1,
      risk_management_meetings: 1,
      return_interviews: 1,
      education: 1,
    });

    expect(children.map((c: Json) => c.id)).toEqual(ids);
    expect(children.at(-1).socialCare).toBeNull();
    const statuses = await db
      .selectFrom("legal_statuses")
      .select(["id", "nhs_number"])
      .where("ended_at", "is", null)
      .execute();
    const syntheticWithStatus = children.filter((c: Json) => c.id.startsWith("9991") && c.socialCare.legalStatus);
    expect(syntheticWithStatus.length).toBeGreaterThan(2);
    expect(syntheticWithStatus.length).toBeLessThan(SYNTHETIC_COUNT);
    for (const child of children.slice(0, -1)) {
      const own = statuses.find((s) => s.nhs_number === child.id);
      expect(child.socialCare.legalStatus?.id ?? null).toBe(own?.id ?? null);
      if (child.id.startsWith("9991")) expect(child.socialCare.socialWorker.person.name).toBe("Duty social worker");
      expect(child.socialCare.outOfHoursPlan === null).toBe(child.id !== DEMO_CHILD_ID);
    }
  });

  describe("mutations", () => {
    const LEGAL_STATUS = `mutation ($input: RecordLegalStatusInput!) {
      recordLegalStatus(input: $input) { id code startedAt endedAt court source { agency } }
    }`;
    const PLAN = `mutation ($input: UpdateOutOfHoursPlanInput!) {
      updateOutOfHoursPlan(input: $input) { returnTo whoToCall { name phone } updatedBy }
    }`;
    const RMM = `mutation ($input: RecordRiskManagementMeetingInput!) {
      recordRiskManagementMeeting(input: $input) { id strategyDiscussionNeeded risks { level } }
    }`;
    const MINUTES = `mutation ($input: RecordStrategyMinutesSharedInput!) {
      recordStrategyMinutesShared(input: $input) { id minutesSharedAt }
    }`;
    const CARE_TEAM = `mutation ($input: RecordCareTeamInput!) {
      recordCareTeam(input: $input) {
        socialWorker { person { name role phone email } recordedBy }
        onCallManager { person { name email } }
      }
    }`;
    const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    const rmm = (change: Record<string, unknown> = {}) => ({
      childId: DEMO_CHILD_ID,
      heldAt: iso(3600_000),
      chairedBy: "Fiona Castell",
      attendees: [{ agency: "Police", role: "Missing Persons Unit" }],
      risks: [{ category: "CSE", description: "Contact with adult 'K'.", level: "HIGH" }],
      protectiveFactors: [],
      actions: [],
      nextReviewAt: new Date(Date.now() + 14 * DAY_MS).toISOString(),
      strategyDiscussionNeeded: true,
      strategyDiscussionReason: "New intelligence.",
      ...change,
    });
    const allRows = async () => ({
      statuses: await db.selectFrom("legal_statuses").selectAll().orderBy("id").execute(),
      plans: await db.selectFrom("out_of_hours_plans").selectAll().orderBy("nhs_number").execute(),
      meetings: await db.selectFrom("risk_management_meetings").selectAll().orderBy("id").execute(),
      discussions: await db.selectFrom("strategy_discussions").selectAll().orderBy("id").execute(),
      contacts: await db.selectFrom("contacts").selectAll().orderBy("nhs_number").orderBy("kind").execute(),
      outbox: await outboxEvents(),
      audit: await (db as unknown as Kysely<{ audit_log: AuditLogTable }>)
        .selectFrom("audit_log")
        .select("seq")
        .orderBy("seq")
        .execute(),
    });
    const outboxEvents = async () =>
      (await (db as unknown as Kysely<OutboxTables>).selectFrom("outbox").selectAll().orderBy("id").execute()).map(
        (row) => parseEvent(JSON.parse(row.body)),
      );
    const expectBadUserInput = (result: ExecutionResult<Json>, field: string) => {
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(result.errors?.[0]?.message).toBeTruthy();
      expect(result.data).toBeNull();
    };

    it("refuses bad writes with BAD_USER_INPUT and writes nothing", async () => {
      const before = await allRows();
      expectBadUserInput(
        await run(LEGAL_STATUS, {
          input: {
            childId: DEMO_CHILD_ID,
            code: "C2",
            startedAt: iso(60_000),
            whoDecidesWhereChildLives: "The council.",
            recordedBy: "Leah Marsh",
          },
        }),
        "court",
      );
      expectBadUserInput(
        await run(PLAN, {
          input: {
            childId: DEMO_CHILD_ID,
            returnTo: "Home",
            doNotReturnTo: [],
            whoToCall: [],
            legalAdviceRoute: "EDT",
            updatedBy: "Leah Marsh",
          },
        }),
        "whoToCall",
      );
      expectBadUserInput(
        await run(RMM, { input: rmm({ strategyDiscussionReason: "   " }) }),
        "strategyDiscussionReason",
      );
      expectBadUserInput(await run(RMM, { input: rmm({ childId: REUBEN }) }), "childId");
      expectBadUserInput(
        await run(CARE_TEAM, {
          input: {
            childId: DEMO_CHILD_ID,
            socialWorker: { name: "Sam Okoro", email: "sam.okoro@avonvale.gov.example" },
            onCallManager: { name: "Priya Shah", email: "priya.shah" },
            recordedBy: "Graham Boateng",
          },
        }),
        "onCallManager.email",
      );
      expectBadUserInput(
        await run(CARE_TEAM, { input: { childId: DEMO_CHILD_ID, recordedBy: "Graham Boateng" } }),
        "socialWorker",
      );
      expectBadUserInput(
        await run(MINUTES, {
          input: { strategyDiscussionId: "SD-0018-01", sharedAt: iso(0), recordedBy: "Graham Boateng" },
        }),
        "strategyDiscussionId",
      );
      expect(await allRows()).toEqual(before);
    });

    it("records Amber's care team, returns the section as it now shows, and raises CARE_TEAM_CHANGED naming them", async () => {
      const before = await outboxEvents();
      const result = await run(CARE_TEAM, {
        input: {
          childId: DEMO_CHILD_ID,
          socialWorker: { name: " Sam Okoro ", phone: "01632 960 360", email: "sam.okoro@avonvale.gov.example" },
          recordedBy: "Graham Boateng",
        },
      });
      expect(result.errors).toBeUndefined();
      expect(result.data.recordCareTeam).toEqual({
        socialWorker: {
          person: {
            name: "Sam Okoro",
            role: "Social worker",
            phone: "01632 960 360",
            email: "sam.okoro@avonvale.gov.example",
          },
          recordedBy: "Graham Boateng",
        },
        onCallManager: { person: { name: "Fiona Castell", email: "fiona.castell@avonvale.gov.example" } },
      });
      const seen = new Set(before.map((e) => e.id));
      const raisedSince = async () => (await outboxEvents()).filter((e) => !seen.has(e.id));
      const raised = await raisedSince();
      expect(raised.map((e) => [e.kind, e.childId, e.data])).toEqual([
        [
          "CARE_TEAM_CHANGED",
          DEMO_CHILD_ID,
          {
            socialWorker: { name: "Sam Okoro", email: "sam.okoro@avonvale.gov.example" },
            onCallManager: { name: "Fiona Castell", email: "fiona.castell@avonvale.gov.example" },
          },
        ],
      ]);

      // Two writes in one request: the second answer shows the second write, not what the first one loaded.
      const twice = await run(
        `mutation ($first: RecordCareTeamInput!, $second: RecordCareTeamInput!) {
          first: recordCareTeam(input: $first) { onCallManager { person { name } } }
          second: recordCareTeam(input: $second) { socialWorker { person { name } } onCallManager { person { name } } }
        }`,
        {
          first: { childId: DEMO_CHILD_ID, onCallManager: { name: "Priya Shah" }, recordedBy: "Graham Boateng" },
          second: {
            childId: DEMO_CHILD_ID,
            onCallManager: { name: "Dev Mistry", email: "dev.mistry@avonvale.gov.example" },
            recordedBy: "Graham Boateng",
          },
        },
      );
      expect(twice.errors).toBeUndefined();
      expect(twice.data).toEqual({
        first: { onCallManager: { person: { name: "Priya Shah" } } },
        second: {
          socialWorker: { person: { name: "Sam Okoro" } },
          onCallManager: { person: { name: "Dev Mistry" } },
        },
      });
      const [child] = await entities([DEMO_CHILD_ID]);
      expect(child.socialCare.socialWorker.person.email).toBe("sam.okoro@avonvale.gov.example");
      expect(child.socialCare.onCallManager.person).toMatchObject({ name: "Dev Mistry", phone: null, team: null });
      const onCall = (await raisedSince()).map((e) => e.data.onCallManager);
      expect(onCall).toHaveLength(3);
      expect(onCall).toEqual(
        expect.arrayContaining([
          { name: "Fiona Castell", email: "fiona.castell@avonvale.gov.example" },
          null,
          { name: "Dev Mistry", email: "dev.mistry@avonvale.gov.example" },
        ]),
      );
    });

    it("records a care order, an RMM and shared minutes for 9990000018, and reads them back", async () => {
      const startedAt = iso(60_000);
      const status = await run(LEGAL_STATUS, {
        input: {
          childId: DEMO_CHILD_ID,
          code: "C2",
          startedAt,
          court: "Family Court sitting at Avonvale",
          whoDecidesWhereChildLives: "The council.",
          recordedBy: "Leah Marsh",
        },
      });
      expect(status.errors).toBeUndefined();
      expect(status.data.recordLegalStatus).toMatchObject({
        code: "C2",
        startedAt,
        endedAt: null,
        source: { agency: "SOCIAL_CARE" },
      });

      // The new order is told to the alerts service; the meeting and the minutes that follow raise no event.
      const beforeMeeting = await outboxEvents();
      const changed = beforeMeeting.filter((e) => e.kind === "LEGAL_STATUS_CHANGED");
      expect(changed.map((e) => [e.childId, e.data, e.occurredAt])).toEqual([
        [DEMO_CHILD_ID, { code: "C2" }, startedAt],
      ]);

      const meeting = await run(RMM, { input: rmm() });
      expect(meeting.errors).toBeUndefined();
      expect(meeting.data.recordRiskManagementMeeting).toMatchObject({
        strategyDiscussionNeeded: true,
        risks: [{ level: "HIGH" }],
      });

      const sharedAt = iso(30_000);
      const minutes = await run(MINUTES, {
        input: { strategyDiscussionId: "SD-0018-02", sharedAt, recordedBy: "Graham Boateng" },
      });
      expect(minutes.errors).toBeUndefined();

      expect(await outboxEvents()).toEqual(beforeMeeting);

      const [child] = await entities([DEMO_CHILD_ID]);
      const care = child.socialCare;
      expect(care.legalStatus.id).toBe(status.data.recordLegalStatus.id);
      expect(care.legalStatusHistory.map((s: Json) => [s.code, s.endedAt])).toEqual([
        ["C2", null],
        ["C1", startedAt],
      ]);
      expect(care.riskManagementMeetings.map((m: Json) => m.id)).toEqual([meeting.data.recordRiskManagementMeeting.id]);
      expect(care.strategyDiscussions.find((d: Json) => d.id === "SD-0018-02").minutesSharedAt).toBe(sharedAt);
    });
  });
});
