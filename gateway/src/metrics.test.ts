import type { IncomingMessage } from "node:http";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HttpRefusal } from "@safeguarding/kit";
import type { AssertionSigner } from "@safeguarding/shared/assertion";
import type { Identity } from "@safeguarding/shared/identity";
import type { Authenticator } from "./auth.js";
import { CLIENT_OPERATIONS } from "./client-operations.js";
import { KNOWN_OPERATIONS, rateLimitRefusals } from "./metrics.js";
import type { RateLimiter } from "./rate-limit.js";
import { createRequestContext } from "./request-context.js";

describe("the operation names the gateway's request metrics use", () => {
  it("are the shipped clients' operations: the control room's and the portal's", () => {
    const portal = ["action-card.graphql", "alerts.graphql"]
      .map((name) => readFileSync(new URL(`../../portal/server/${name}`, import.meta.url), "utf8"))
      .join("\n");
    const portalOperations = [...portal.matchAll(/^\s*(?:query|mutation)\s+(\w+)/gm)].map((m) => m[1]);
    expect(portalOperations.length).toBeGreaterThan(0);
    expect([...KNOWN_OPERATIONS].sort()).toEqual([...CLIENT_OPERATIONS.map((o) => o.name), ...portalOperations].sort());
  });
});

/** Rate-limit refusals are counted by reason and by whether the caller had a valid token. */
const USER: Identity = { userId: "demo:control-room", name: "C", role: "CONTROL_ROOM", organisation: "o", email: null };

function contextWith(limiter: Pick<RateLimiter, "take">, identity: Identity | null) {
  return createRequestContext({
    authenticator: { authenticate: async () => identity } satisfies Authenticator,
    limiter: { kind: "memory", close: async () => {}, ...limiter },
    signer: {} as AssertionSigner,
    maxTokens: 1000,
  });
}

const request = { headers: {}, socket: { remoteAddress: "127.0.0.1" } } as unknown as IncomingMessage;

async function refusals(reason: string, caller: string): Promise<number> {
  const metric = await rateLimitRefusals.get();
  return metric.values.find((v) => v.labels.reason === reason && v.labels.caller === caller)?.value ?? 0;
}

describe("rate-limit refusals", () => {
  it("count a user over the limit (429) and a limiter that does not answer (503)", async () => {
    const before = { limit: await refusals("limit", "user"), unavailable: await refusals("unavailable", "anonymous") };
    const over = contextWith(
      { take: async () => ({ allowed: false, limit: 1, remaining: 0, retryAfterSeconds: 30 }) },
      USER,
    );
    await expect(over(request, { query: '{ glossarySearch(query: "x") { id } }' }, "")).rejects.toMatchObject({
      status: 429,
    });
    const silent = contextWith(
      {
        take: async () => {
          throw new Error("Redis did not answer");
        },
      },
      null,
    );
    await expect(silent(request, {}, "")).rejects.toBeInstanceOf(HttpRefusal);
    expect(await refusals("limit", "user")).toBe(before.limit + 1);
    expect(await refusals("unavailable", "anonymous")).toBe(before.unavailable + 1);
  });

  it("do not count a request the limiter lets through", async () => {
    const before = await refusals("limit", "anonymous");
    const allowed = contextWith(
      { take: async () => ({ allowed: true, limit: 5, remaining: 4, retryAfterSeconds: 0 }) },
      null,
    );
    await allowed(request, { query: '{ glossarySearch(query: "x") { id } }' }, "");
    expect(await refusals("limit", "anonymous")).toBe(before);
  });
});
