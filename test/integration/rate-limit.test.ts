import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/cluster.js";

/** Per-user rate limiting at the gateway, counted in Redis as several gateway replicas would share it. */

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({
    env: {
      RATE_LIMIT_PER_MINUTE: "5",
      RATE_LIMIT_REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
      RATE_LIMIT_KEY_PREFIX: `sg:rl:test:${randomUUID()}:`,
    },
  });
});

afterAll(async () => {
  await cluster?.close();
});

describe("rate limiting per user", () => {
  it("refuses a user's sixth request in a minute with 429 and when to retry, and leaves other users alone", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await cluster.query(`{ __typename }`, {}, { as: "edt" })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const response = await fetch(cluster.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await cluster.token("edt")}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect(body.errors[0].message).toMatch(/more than 5 requests in a minute: wait \d+ s/);
    expect((await cluster.query(`{ __typename }`, {}, { as: "camhs" })).status).toBe(200);
  });

  it("counts refused tokens against the caller's address, so guessing at tokens is limited too", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push((await cluster.query(`{ __typename }`, {}, { authorization: "Bearer not.a.token" })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
