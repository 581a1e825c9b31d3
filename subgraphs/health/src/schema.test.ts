import "reflect-metadata";
import { graphql, type ExecutionResult } from "graphql";
import { SelectQueryNode, TableNode, type Kysely, type KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ago,
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
import { createContextFactory } from "./context.js";
import { healthSubgraph } from "./definition.js";
import { buildHealthSchema } from "./schema.js";
import { seedHealthSynthetic } from "./seed.js";
import type { HealthDatabase } from "./store.js";

const backends = testBackends(healthSubgraph);

/** Counts the SELECTs each table receives through this Kysely instance. */
function countingSelects(db: Kysely<HealthDatabase>) {
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

const HEALTH_FIELDS = `
  health {
    source { agency system department }
    gpPractice { name odsCode phone address recordedAt recordedBy source { agency system department } }
    camhsReferrals { id referredAt referredBy reason urgency status recordedAt recordedBy source { agency } }
    mentalHealthAssessments {
      id requestedAt requestedBy reason status scheduledFor completedAt outcomeSummary recordedAt recordedBy source { agency }
    }
    escalationRoute {
      area
      inHours { position role contact phone availability escalateIfNoResponseWithinMinutes recordedAt recordedBy source { agency } }
      outOfHours { position role contact phone availability escalateIfNoResponseWithinMinutes recordedAt recordedBy source { agency } }
    }
  }`;

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Child { id ${HEALTH_FIELDS} } }
}`;

type Json = any;
const DRAMA_PHONE = /^(01632 960 ?\d{3}|0113 496 ?0\d{3}|0808 157 ?0\d{3})$/;
const HEALTH_DEMO_IDS = DEMO_CHILDREN.filter((c) => c.knownTo.includes("HEALTH")).map((c) => c.nhsNumber);

describe.each(backends)("health schema on $name", (backend) => {
  const federated = buildHealthSchema();
  let opened: TestStore<HealthDatabase>;
  let db: Kysely<HealthDatabase>;

  async function run(
    source: string,
    variableValues: Record<string, unknown>,
    onDb = db,
  ): Promise<ExecutionResult<Json>> {
    const contextValue = createContextFactory(onDb)(testRequest("HEALTH_CAMHS", { facts: "all" }));
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
    const now = new Date();
    expect(await seedDemoData(healthSubgraph, db, now)).toBe(true);
    // A second call must not load the demo twice (escalation steps are keyed, so a repeat would fail loudly).
    expect(await seedDemoData(healthSubgraph, db, now)).toBe(false);
    const synthetic = [...syntheticChildren(300, 7)];
    await insertSubjects(
      db as unknown as Kysely<SubjectTables>,
      synthetic.map((c) => subjectRow(c, now, healthSubgraph.identityDepartment)),
    );
    await seedHealthSynthetic(db, synthetic, now, prng(7));
  });
  afterAll(async () => opened?.cleanup());

  it("returns the demo record for 9990000018: an urgent accepted referral and an assessment never done", async () => {
    const [child] = await entities([DEMO_CHILD_ID]);
    const health = child.health;
    expect(child.id).toBe(DEMO_CHILD_ID);
    expect(health.source.agency).toBe("HEALTH");
    expect(health.gpPractice).toMatchObject({ name: "Riverside Medical Centre", odsCode: "Z90011" });
    expect(health.gpPractice.phone).toMatch(DRAMA_PHONE);

    const now = Date.now();
    const near = (iso: string, daysAgo: number) =>
      expect(Math.abs(Date.parse(iso) - ago(new Date(now), daysAgo).getTime())).toBeLessThan(120_000);
    expect(health.camhsReferrals).toHaveLength(1);
    expect(health.camhsReferrals[0]).toMatchObject({ urgency: "URGENT", status: "ACCEPTED" });
    near(health.camhsReferrals[0].referredAt, 45);

    expect(health.mentalHealthAssessments).toHaveLength(1);
    const assessment = health.mentalHealthAssessments[0];
    expect(assessment).toMatchObject({
      status: "REQUESTED",
      scheduledFor: null,
      completedAt: null,
      outcomeSummary: null,
    });
    expect(assessment.requestedBy).toMatch(/social worker/i);
    near(assessment.requestedAt, 30);
  });

  it("gives the child's area an in-hours and an out-of-hours escalation ladder", async () => {
    const [child] = await entities([DEMO_CHILD_ID]);
    const route = child.health.escalationRoute;
    expect(route.area).toBe("north-avonvale");
    expect(route.inHours.map((s: Json) => s.role)).toEqual([
      "CAMHS duty clinician",
      "CAMHS team manager",
      "CAMHS service manager",
    ]);
    expect(route.outOfHours.map((s: Json) => s.role)).toEqual([
      "CAMHS crisis line",
      "On-call CAMHS consultant psychiatrist",
      "NHS trust director on call",
    ]);
    expect(route.outOfHours[0]).toMatchObject({
      position: 1,
      availability: "24 hours, every day",
      escalateIfNoResponseWithinMinutes: 30,
    });
    for (const ladder of [route.inHours, route.outOfHours]) {
      expect(ladder.map((s: Json) => s.position)).toEqual([1, 2, 3]);
      expect(ladder.at(-1).escalateIfNoResponseWithinMinutes).toBeNull();
      for (const step of ladder.slice(0, -1)) expect(step.escalateIfNoResponseWithinMinutes).toBeGreaterThan(0);
      for (const step of ladder) {
        expect(step.phone).toMatch(DRAMA_PHONE);
        expect(step.source.agency).toBe("HEALTH");
      }
    }
  });

  it("holds the other demo children: Zoë's completed assessment, Tomasz's declined one, a GP for each", async () => {
    const children = await entities(HEALTH_DEMO_IDS);
    const byName = new Map(children.map((c: Json) => [c.id, c.health]));
    for (const id of HEALTH_DEMO_IDS) expect(byName.get(id).gpPractice.name).toBeTruthy();
    const zoe = byName.get("9990000050");
    expect(zoe.camhsReferrals[0].urgency).toBe("ROUTINE");
    expect(zoe.mentalHealthAssessments[0]).toMatchObject({ status: "COMPLETED" });
    expect(zoe.mentalHealthAssessments[0].completedAt).toBeTruthy();
    expect(zoe.mentalHealthAssessments[0].outcomeSummary).toBeTruthy();
    expect(byName.get("9990000042").mentalHealthAssessments[0].status).toBe("DECLINED");
  });

  it("returns null health for a child health does not know", async () => {
    const [reuben, unknown] = await entities(["9990000069", "9990000999"]);
    expect(reuben).toEqual({ id: "9990000069", health: null });
    expect(unknown).toEqual({ id: "9990000999", health: null });
  });

  it("loads many children with one query per table", async () => {
    const synthetic = (
      await db.selectFrom("subjects").select("nhs_number").where("nhs_number", "like", "9991%").execute()
    ).map((r) => r.nhs_number);
    expect(synthetic.length).toBe(300);
    const counted = countingSelects(db);
    const ids = [...HEALTH_DEMO_IDS, ...synthetic, "9990000069"];
    const children = await entities(ids, counted.db);
    expect(children).toHaveLength(ids.length);
    expect(children.filter((c: Json) => c.health?.gpPractice).length).toBe(HEALTH_DEMO_IDS.length + synthetic.length);
    expect(children.filter((c: Json) => c.health?.camhsReferrals.length).length).toBeGreaterThan(10);
    expect(Object.fromEntries(counted.selects)).toEqual({
      subjects: 1,
      gp_practices: 1,
      camhs_referrals: 1,
      mental_health_assessments: 1,
      escalation_steps: 1,
    });
  });

  describe("mutations", () => {
    const RECORD = `mutation ($input: RecordCamhsReferralInput!) {
      recordCamhsReferral(input: $input) { id referredBy urgency status source { agency system department } }
    }`;
    const REQUEST = `mutation ($input: RequestMentalHealthAssessmentInput!) {
      requestMentalHealthAssessment(input: $input) { id status requestedBy }
    }`;
    const UPDATE = `mutation ($input: UpdateMentalHealthAssessmentInput!) {
      updateMentalHealthAssessment(input: $input) { id status scheduledFor completedAt outcomeSummary recordedBy }
    }`;
    const rowCounts = async () => ({
      referrals: (await db.selectFrom("camhs_referrals").select("id").execute()).length,
      assessments: await db.selectFrom("mental_health_assessments").selectAll().orderBy("id").execute(),
    });
    const expectBadUserInput = (result: ExecutionResult<Json>, field: string) => {
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(result.data).toBeNull();
    };

    it("records a referral and requests, books and completes an assessment for 9990000018", async () => {
      const referred = await run(RECORD, {
        input: {
          childId: DEMO_CHILD_ID,
          referredAt: new Date(Date.now() - 60_000).toISOString(),
          referredBy: "PC 4471 Daniel Osei",
          reason: "Talked of self-harm when found.",
          urgency: "EMERGENCY",
        },
      });
      expect(referred.errors).toBeUndefined();
      expect(referred.data.recordCamhsReferral).toMatchObject({
        urgency: "EMERGENCY",
        status: "RECEIVED",
        source: { agency: "HEALTH" },
      });

      const requested = await run(REQUEST, {
        input: {
          childId: DEMO_CHILD_ID,
          requestedAt: new Date(Date.now() - 60_000).toISOString(),
          requestedBy: "EDT social worker",
          reason: "Placement decision tonight.",
        },
      });
      expect(requested.errors).toBeUndefined();
      const id = requested.data.requestMentalHealthAssessment.id;

      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      const booked = await run(UPDATE, {
        input: { assessmentId: id, status: "SCHEDULED", scheduledFor: tomorrow, updatedBy: "CAMHS duty clinician" },
      });
      expect(booked.errors).toBeUndefined();
      expect(booked.data.updateMentalHealthAssessment).toMatchObject({ status: "SCHEDULED", scheduledFor: tomorrow });

      const [child] = await entities([DEMO_CHILD_ID]);
      expect(child.health.camhsReferrals[0].id).toBe(referred.data.recordCamhsReferral.id);
      expect(child.health.mentalHealthAssessments[0]).toMatchObject({ id, status: "SCHEDULED" });
    });

    it("refuses bad writes with BAD_USER_INPUT and writes nothing", async () => {
      const before = await rowCounts();
      const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
      expectBadUserInput(
        await run(RECORD, {
          input: {
            childId: "9990000999",
            referredAt: new Date().toISOString(),
            referredBy: "GP",
            reason: "Low mood",
            urgency: "URGENT",
          },
        }),
        "childId",
      );
      expectBadUserInput(
        await run(REQUEST, {
          input: { childId: DEMO_CHILD_ID, requestedAt: soon, requestedBy: "Social worker", reason: "Placement" },
        }),
        "requestedAt",
      );
      expectBadUserInput(
        await run(UPDATE, {
          input: {
            assessmentId: "MHA-0018-01",
            status: "COMPLETED",
            completedAt: new Date().toISOString(),
            updatedBy: "CAMHS",
          },
        }),
        "outcomeSummary",
      );
      expectBadUserInput(
        await run(UPDATE, {
          input: { assessmentId: "MHA-0042-01", status: "SCHEDULED", scheduledFor: soon, updatedBy: "CAMHS" },
        }),
        "assessmentId",
      );
      expect(await rowCounts()).toEqual(before);
    });
  });
});
