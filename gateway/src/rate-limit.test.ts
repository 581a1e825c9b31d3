import { randomUUID } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import {
  createMemoryRateLimiter,
  createRateLimiter,
  rateLimitConfigFromEnv,
  type RateLimitConfig,
  type RateLimiter,
} from "./rate-limit.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const opened: RateLimiter[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((limiter) => limiter.close()));
});

function open(config: RateLimitConfig): RateLimiter {
  const limiter = createRateLimiter(config);
  opened.push(limiter);
  return limiter;
}

async function takeMany(limiter: RateLimiter, key: string, times: number) {
  const decisions = [];
  for (let i = 0; i < times; i++) decisions.push(await limiter.take(key));
  return decisions;
}

const stores = [
  { kind: "memory", config: (limit: number, windowMs: number): RateLimitConfig => ({ limit, windowMs }) },
  {
    kind: "redis",
    config: (limit: number, windowMs: number): RateLimitConfig => ({
      limit,
      windowMs,
      redisUrl: REDIS_URL,
      keyPrefix: `sg:rl:test:${randomUUID()}:`,
    }),
  },
] as const;

describe.each(stores)("$kind rate limiter", ({ kind, config }) => {
  it("allows the limit, then refuses with a Retry-After within the window", async () => {
    const limiter = open(config(3, 60_000));
    expect(limiter.kind).toBe(kind);
    const decisions = await takeMany(limiter, "officer-1", 4);
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(decisions[0]).toMatchObject({ limit: 3, retryAfterSeconds: 0 });
    expect(decisions[3].retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(decisions[3].retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it("counts each key separately", async () => {
    const limiter = open(config(2, 60_000));
    await takeMany(limiter, "officer-1", 3);
    expect((await limiter.take("officer-1")).allowed).toBe(false);
    expect(await limiter.take("officer-2")).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("allows requests again once the window has passed", async () => {
    const limiter = open(config(2, 300));
    await takeMany(limiter, "officer-1", 2);
    const refused = await limiter.take("officer-1");
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    await sleep(400);
    expect(await limiter.take("officer-1")).toMatchObject({ allowed: true, remaining: 1 });
  });
});

describe("redis rate limiter", () => {
  it("shares one budget between replicas using the same store", async () => {
    const shared = stores[1].config(5, 60_000);
    const replicaA = open(shared);
    const replicaB = open(shared);
    expect((await takeMany(replicaA, "officer-1", 3)).every((d) => d.allowed)).toBe(true);
    expect(await replicaB.take("officer-1")).toMatchObject({ allowed: true, remaining: 1 });
    expect(await replicaA.take("officer-1")).toMatchObject({ allowed: true, remaining: 0 });
    expect((await replicaB.take("officer-1")).allowed).toBe(false);
    expect((await replicaA.take("officer-1")).allowed).toBe(false);
  });

  it("allows exactly the limit when replicas race", async () => {
    const shared = stores[1].config(20, 60_000);
    const replicas = [open(shared), open(shared)];
    await Promise.all(replicas.map((r) => r.take("warm-up")));
    const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => replicas[i % 2].take("officer-1")));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
  });

  it("fails closed, quickly, when the store cannot be reached", async () => {
    const limiter = open({ limit: 5, windowMs: 60_000, redisUrl: "redis://127.0.0.1:1" });
    const started = Date.now();
    await expect(limiter.take("officer-1")).rejects.toThrow(/rate limiting is unavailable/i);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("fails closed, quickly, when the store accepts connections but never answers", async () => {
    const silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const limiter = open({ limit: 5, windowMs: 60_000, redisUrl: `redis://127.0.0.1:${port}` });
      const started = Date.now();
      await expect(limiter.take("officer-1")).rejects.toThrow(/rate limiting is unavailable/i);
      expect(Date.now() - started).toBeLessThan(2000);
      await limiter.close();
    } finally {
      silent.close();
      silent.unref();
    }
  });
});

describe("memory rate limiter", () => {
  it("drops expired keys, and never holds more than its cap", async () => {
    const limiter = createMemoryRateLimiter({ limit: 1, windowMs: 100 }, 50);
    for (let i = 0; i < 40; i++) await limiter.take(`officer-${i}`);
    expect(limiter.size).toBe(40);
    await sleep(150);
    await limiter.take("officer-new");
    expect(limiter.size).toBe(1);
    for (let i = 0; i < 200; i++) await limiter.take(`flood-${i}`);
    expect(limiter.size).toBe(50);
  });
});

describe("rate-limit configuration", () => {
  it("defaults to 300 a minute, in memory", () => {
    expect(rateLimitConfigFromEnv({})).toEqual({ limit: 300, windowMs: 60_000, redisUrl: undefined });
  });

  it("reads the limit and the Redis URL", () => {
    expect(rateLimitConfigFromEnv({ RATE_LIMIT_PER_MINUTE: "60", RATE_LIMIT_REDIS_URL: "redis://cache:6379" })).toEqual(
      { limit: 60, windowMs: 60_000, redisUrl: "redis://cache:6379" },
    );
  });

  it("names the setting at fault, without repeating a URL that may hold a password", () => {
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_PER_MINUTE: "lots" })).toThrow(
      'RATE_LIMIT_PER_MINUTE must be a whole number of requests, 1 or more; got "lots".',
    );
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_PER_MINUTE: "0" })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_REDIS_URL: "http://user:secret@cache" })).toThrow(
      /^RATE_LIMIT_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL(?!.*secret)/,
    );
  });
});
