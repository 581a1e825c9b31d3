import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEntries, AUDITED_SERVICES } from "../support/audit.js";
import { PURPOSE, startCluster, type Cluster } from "../support/cluster.js";

/**
 * One HTTP request and one audit entry per agency per gateway request: the gateway asks each agency who the child
 * is and for its section in the same request, and asks only the agencies the request needs.
 */
describe("one trip per agency", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ countAgencyRequests: true });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  async function read(query: string, as: string) {
    const requestId = `one-trip-${randomUUID().slice(0, 8)}`;
    const result = await cluster.query(query, undefined, { as, headers: { "x-request-id": requestId } });
    const audit = Object.fromEntries(
      await Promise.all(
        AUDITED_SERVICES.map(async (service) => [service, await auditEntries(cluster, service, requestId)] as const),
      ),
    );
    return { result, requests: cluster.agencyRequests(requestId), audit };
  }

  const sections = `
    police { missingEpisodes { id status } warningMarkers { marker } }
    socialCare { legalStatus { code } placement { name } }
    health { gpPractice { name } mentalHealthAssessments { status } }`;

  it("reads the whole record with one request and one audit entry per agency", async () => {
    const { result, requests, audit } = await read(
      `{ child(id: "9990000018", ${PURPOSE}) { givenName familyName ${sections} } }`,
      "police-safeguarding",
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.child.givenName).toBe("Amber");
    expect(result.data.child.police.missingEpisodes.length).toBeGreaterThan(0);
    expect(result.data.child.socialCare.legalStatus.code).toBe("C1");
    expect(result.data.child.health.gpPractice.name).toBeTruthy();
    expect(requests).toEqual({ police: 1, "social-care": 1, health: 1 });
    for (const agency of ["police", "social-care", "health"] as const) {
      expect(audit[agency], agency).toHaveLength(1);
      expect(audit[agency][0].childIds).toEqual(["9990000018"]);
      // The one entry records both what was looked up and the section: nothing today's two entries held is lost.
      expect(audit[agency][0].operation).toMatch(/Subjects, _entities$/);
    }
    expect(audit.police[0].fieldsReturned).toEqual(expect.arrayContaining(["MissingEpisode.status"]));
    expect(audit.gateway).toHaveLength(1);
  });

  it("reads several children in one request with still one request per agency", async () => {
    const { result, requests, audit } = await read(
      `{
        a: child(id: "9990000018", ${PURPOSE}) { givenName ${sections} }
        b: child(id: "9990000026", ${PURPOSE}) { givenName ${sections} }
        c: child(id: "9990000042", ${PURPOSE}) { givenName police { missingEpisodes { id } } }
      }`,
      "social-worker",
    );
    expect(result.errors).toBeUndefined();
    expect([result.data.a.givenName, result.data.b.givenName, result.data.c.givenName]).toEqual([
      "Amber",
      "Jayden",
      "Tomasz",
    ]);
    expect(requests).toEqual({ police: 1, "social-care": 1, health: 1 });
    for (const agency of ["police", "social-care", "health"] as const) expect(audit[agency]).toHaveLength(1);
    expect(audit.police[0].childIds).toEqual(["9990000018", "9990000026", "9990000042"]);
  });

  it("asks only the agency whose section is asked for", async () => {
    const { result, requests } = await read(
      `{ child(id: "9990000018", ${PURPOSE}) { givenName socialCare { legalStatus { code } } } }`,
      "social-worker",
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.child).toEqual({ givenName: "Amber", socialCare: { legalStatus: { code: "C1" } } });
    expect(requests).toEqual({ police: 0, "social-care": 1, health: 0 });
  });

  it("asks police first, once, when a police officer's social-care answer depends on an open missing episode", async () => {
    const { result, requests } = await read(
      `{ child(id: "9990000018", ${PURPOSE}) { socialCare { placement { name address } } } }`,
      "response-officer",
    );
    expect(requests).toEqual({ police: 1, "social-care": 1, health: 0 });
    // The demo child is missing now, so the officer sees where to take her.
    expect(result.errors).toBeUndefined();
    expect(result.data.child.socialCare.placement.address).toBeTruthy();
  });

  it("asks every agency for identity fields that compare their records", async () => {
    const { result, requests } = await read(
      `{ child(id: "9990000018", ${PURPOSE}) { knownTo socialCare { legalStatus { code } } } }`,
      "social-worker",
    );
    expect(result.data.child.knownTo.sort()).toEqual(["HEALTH", "POLICE", "SOCIAL_CARE"]);
    expect(requests).toEqual({ police: 1, "social-care": 1, health: 1 });
  });

  it("asks the other agencies who the child is when the agency asked does not know her, and never twice", async () => {
    // 999 000 0034 is known to social care and health, not to police.
    const { result, requests } = await read(
      `{ child(id: "9990000034", ${PURPOSE}) { givenName police { missingEpisodes { id } } } }`,
      "police-safeguarding",
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.child).toEqual({ givenName: "Maisie", police: null });
    expect(requests).toEqual({ police: 1, "social-care": 1, health: 1 });
  });

  it("says null for a child no agency knows, having asked every agency once", async () => {
    const { result, requests } = await read(
      `{ child(id: "9990000107", ${PURPOSE}) { givenName police { missingEpisodes { id } } } }`,
      "police-safeguarding",
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.child).toBeNull();
    expect(requests).toEqual({ police: 1, "social-care": 1, health: 1 });
  });
});
