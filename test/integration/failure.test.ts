import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster, PURPOSE } from "../support/cluster.js";

const probe = async (graphqlUrl: string, path: "health" | "ready") => {
  const url = new URL(graphqlUrl);
  url.pathname = `/${path}`;
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as any };
};

describe("when one agency is down", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("every service is live and ready while all are up", async () => {
    for (const url of [cluster.gatewayUrl, ...Object.values(cluster.subgraphUrls)]) {
      expect((await probe(url, "health")).status).toBe(200);
      const ready = await probe(url, "ready");
      expect(ready.status, url).toBe(200);
    }
    expect((await probe(cluster.gatewayUrl, "ready")).body.checks).toEqual({
      POLICE: "ok",
      SOCIAL_CARE: "ok",
      HEALTH: "ok",
      auditStore: "ok",
    });
  });

  it("still returns the other agencies' sections, names the missing agency, and leaks nothing internal", async () => {
    await cluster.stopAgency("police");
    const result = await cluster.query(`{
      child(id: "9990000018", ${PURPOSE}) {
        givenName knownTo
        police { missingEpisodes { id } }
        socialCare { legalStatus { code } }
        health { mentalHealthAssessments { status } }
      }
    }`);
    const child = result.data.child;
    expect(child.givenName).toBe("Amber");
    expect(child.knownTo.sort()).toEqual(["HEALTH", "SOCIAL_CARE"]);
    expect(child.police).toBeNull();
    expect(child.socialCare.legalStatus.code).toBe("C1");
    expect(child.health.mentalHealthAssessments.length).toBeGreaterThan(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toEqual({ code: "AGENCY_UNAVAILABLE", agency: "POLICE" });
    expect(result.errors![0].message).toMatch(/police/);
    const text = JSON.stringify(result.errors);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|http:|ECONNREFUSED|stack|at \w+ \(/);
  });

  it("says a child known only to the missing agency cannot be confirmed, rather than 'not known'", async () => {
    const result = await cluster.query(`{ child(id: "9990000069", ${PURPOSE}) { id } }`);
    expect(result.data.child).toBeNull();
    expect(result.errors![0].extensions).toMatchObject({ code: "AGENCY_UNAVAILABLE", agencies: ["POLICE"] });
  });

  it("searches the agencies that answered and warns that one did not", async () => {
    const result = await cluster.query(`{ children(search: { name: "amber" }, ${PURPOSE}) { id } }`);
    expect(result.data.children[0].id).toBe("9990000018");
    expect(result.errors![0].extensions).toMatchObject({ code: "AGENCY_UNAVAILABLE", agencies: ["POLICE"] });
  });

  it("reports the gateway not ready, naming the agency, while staying live", async () => {
    expect((await probe(cluster.gatewayUrl, "health")).status).toBe(200);
    const ready = await probe(cluster.gatewayUrl, "ready");
    expect(ready.status).toBe(503);
    expect(ready.body.checks.POLICE).toBe("unreachable");
    expect(ready.body.checks.SOCIAL_CARE).toBe("ok");
  });
});

describe("when an agency is slow", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // A proxy in front of the health subgraph holds every request longer than the gateway's deadline.
    cluster = await startCluster({ env: { SUBGRAPH_TIMEOUT_MS: "1000" }, delay: { agency: "health", ms: 2500 } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("gives up on it at the deadline and returns the rest", async () => {
    const started = Date.now();
    const result = await cluster.query(
      `{ child(id: "9990000018", ${PURPOSE}) { givenName police { missingEpisodes { id } } health { gpPractice { name } } } }`,
    );
    const elapsed = Date.now() - started;
    expect(result.data.child.givenName).toBe("Amber");
    expect(result.data.child.police.missingEpisodes.length).toBeGreaterThan(0);
    expect(result.data.child.health).toBeNull();
    expect(result.errors!.map((e) => e.extensions!.agency ?? (e.extensions!.agencies as string[])?.[0])).toContain(
      "HEALTH",
    );
    // One deadline, not two: the section fetch fails at once because the index already found health silent.
    expect(elapsed).toBeLessThan(1900);
  });
});
