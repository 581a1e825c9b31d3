import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CHILD, startCluster, type Cluster, PURPOSE } from "../support/cluster.js";
import { FULL_CHILD_QUERY, recordedItems } from "../support/queries.js";

const DAY = 24 * 3600_000;

describe.each(["sqlite", "postgres"] as const)("the joined child record on %s", (store) => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ store });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("records each read in the gateway's audit trail on this store, readable by an auditor", async () => {
    await cluster.query(`{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { givenName } }`, {}, { as: "edt" });
    const log = await cluster.query(
      `{ accessLog(childId: "${DEMO_CHILD}") { userName role operation outcome purpose { code reference } } }`,
      {},
      { as: "auditor" },
    );
    expect(log.errors).toBeUndefined();
    expect(log.data.accessLog[0]).toEqual({
      userName: "Chris Doyle",
      role: "EDT",
      operation: "child",
      outcome: "OK",
      purpose: { code: "SAFEGUARDING_ENQUIRY", reference: "TEST-0001" },
    });
  });

  it("marks the joined record as never to be stored by a cache, with its length", async () => {
    const token = await cluster.token("police-safeguarding");
    const response = await fetch(cluster.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { givenName police { warningMarkers { marker } } } }`,
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.text();
    expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(body));
  });

  it("joins what all three agencies hold about 999 000 0018", async () => {
    const result = await cluster.query(FULL_CHILD_QUERY, { id: "999 000 0018" });
    expect(result.errors).toBeUndefined();
    const child = result.data.child;
    expect(child).toMatchObject({
      id: DEMO_CHILD,
      nhsNumber: "999 000 0018",
      givenName: "Amber",
      familyName: "Whitlock",
      ageYears: 13,
    });
    expect(child.knownTo.sort()).toEqual(["HEALTH", "POLICE", "SOCIAL_CARE"]);
    expect(child.identityDiscrepancies).toEqual([]);

    const now = Date.now();
    const recent = child.police.missingEpisodes.filter((e: any) => now - Date.parse(e.reportedAt) <= 60 * DAY);
    expect(recent.length).toBeGreaterThanOrEqual(4);
    const heldAtStation = recent.find((e: any) => e.returnedTo === "POLICE_STATION");
    expect(heldAtStation.heldAtPoliceStationMinutes).toBeGreaterThan(0);
    expect(recent.some((e: any) => e.cseIndicators)).toBe(true);
    expect(new Set(child.police.missingEpisodes.map((e: any) => e.source.department)).size).toBeGreaterThanOrEqual(1);
    expect(child.police.cseConcerns[0]).toMatchObject({ status: "UNDER_INVESTIGATION" });
    expect(child.police.cseConcerns[0].source.department).toBe("Child Exploitation Team");

    const care = child.socialCare;
    expect(care.legalStatus).toMatchObject({ code: "C1", endedAt: null });
    expect(care.legalStatus.whoDecidesWhereChildLives).toMatch(/local authority/i);
    expect(care.legalStatus.conditions).toMatch(/supervised/i);
    expect(care.onCallManager.person.name).toBeTruthy();
    expect(care.onCallManager.person.phone).toBeTruthy();
    expect(care.outOfHoursPlan.returnTo).toMatch(/Orchard Lane/);
    expect(care.outOfHoursPlan.doNotReturnTo.length).toBeGreaterThan(0);
    expect(care.outOfHoursPlan.legalAdviceRoute).toBeTruthy();
    expect(care.decisions.some((d: any) => d.appliesOutOfHours)).toBe(true);
    expect(care.education.attendancePlan).toMatch(/timetable/i);
    expect(care.childProtectionPlan).toBeNull();
    expect(care.legalStatusHistory.length).toBeGreaterThanOrEqual(1);

    const assessment = child.health.mentalHealthAssessments.find((a: any) => a.status === "REQUESTED");
    expect(assessment).toBeDefined();
    expect(assessment.completedAt).toBeNull();
    expect(child.health.escalationRoute.outOfHours.length).toBeGreaterThan(0);

    // Every item says when, by whom and where it is held, and its agency matches its section.
    const sections = { police: "POLICE", socialCare: "SOCIAL_CARE", health: "HEALTH" } as const;
    for (const [section, agency] of Object.entries(sections)) {
      const items = recordedItems(child[section]);
      expect(items.length).toBeGreaterThan(0);
      for (const { path, item } of items) {
        expect(Number.isNaN(Date.parse(item.recordedAt as string)), path).toBe(false);
        expect(item.recordedBy, path).toBeTruthy();
        expect((item.source as { agency: string }).agency, path).toBe(agency);
        expect((item.source as { department: string }).department, path).toBeTruthy();
      }
    }
  });

  it("returns a child known to one agency only, with the other sections null", async () => {
    const result = await cluster.query(
      `{ child(id: "9990000050", ${PURPOSE}) { givenName knownTo police { source { agency } } socialCare { source { agency } } health { source { agency } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.child).toEqual({
      givenName: "Zoë",
      knownTo: ["HEALTH"],
      police: null,
      socialCare: null,
      health: { source: { agency: "HEALTH" } },
    });
  });
});
