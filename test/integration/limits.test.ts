import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster, PURPOSE } from "../support/cluster.js";
import { FULL_CHILD_QUERY } from "../support/queries.js";

const deep = (levels: number) =>
  `{ glossaryTerm(id: "interim-care-order") { ${"relatedTerms { ".repeat(levels)}id${" }".repeat(levels)} } }`;

/** As a signed-in user: a request without a token that is not only glossary fields is refused before any limit. */
async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[]; data?: unknown },
  };
}

describe("operation limits at the gateway", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("let the real client queries through with room to spare", async () => {
    const result = await cluster.query(FULL_CHILD_QUERY, { id: "9990000018" });
    expect(result.errors).toBeUndefined();
    expect((await cluster.query(deep(6))).errors).toBeUndefined();
  });

  it.each([
    ["a query nested 20 levels deep", deep(20), /levels deep; the limit is 10/],
    [
      "an alias flood",
      `{ ${Array.from({ length: 40 }, (_, i) => `c${i}: child(id: "9990000018", ${PURPOSE}) { id }`).join(" ")} }`,
      /40 aliases; the limit is 30/,
    ],
    [
      "a huge query",
      `{ glossarySearch(query: "ico") { ${Array.from({ length: 6000 }, () => "id").join(" ")} } }`,
      /token limit|tokens/i,
    ],
  ])("refuses %s before any agency is asked", async (_name, query, message) => {
    const result = await post(cluster.gatewayUrl, { query }, await cluster.token("social-worker"));
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0].message).toMatch(message);
    expect(JSON.stringify(result.body)).not.toMatch(/127\.0\.0\.1|stack/);
  });

  it("refuses batched requests", async () => {
    const batch = [{ query: "{ __typename }" }, { query: "{ __typename }" }];
    expect((await post(cluster.gatewayUrl, batch, await cluster.token("social-worker"))).status).toBe(400);
    // Without a token it is not even looked at.
    expect((await post(cluster.gatewayUrl, batch)).status).toBe(401);
  });

  it("refuses a body over the size limit", async () => {
    const result = await post(cluster.gatewayUrl, { query: `{ __typename }`, padding: "x".repeat(70_000) });
    expect(result.status).toBe(413);
    expect(result.body.errors?.[0].extensions?.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("the gateway in production mode", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ env: { NODE_ENV: "production" } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("turns introspection off", async () => {
    const result = await cluster.query(`{ __schema { types { name } } }`);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].message).toMatch(/introspection/i);
  });

  it("gives no field suggestions that map the schema", async () => {
    const result = await cluster.query(`{ child(id: "9990000018", ${PURPOSE}) { givenNam } }`);
    expect(result.errors?.[0].message).not.toMatch(/Did you mean/);
  });

  it("still answers ordinary queries", async () => {
    const result = await cluster.query(`{ child(id: "9990000018", ${PURPOSE}) { givenName } }`);
    expect(result.data).toEqual({ child: { givenName: "Amber" } });
  });
});
