import { Redis } from "ioredis";

export interface RateLimitConfig {
  /** Requests allowed per key in each window. */
  limit: number;
  windowMs: number;
  /** Shared store for several gateway replicas; in-process counters when unset. */
  redisUrl?: string;
  keyPrefix?: string;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** 0 when allowed; otherwise whole seconds until the window resets (at least 1), for a Retry-After header. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  readonly kind: "memory" | "redis";
  /** Counts one request against `key`. The Redis limiter throws when the store cannot answer: fail closed. */
  take(key: string): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 300;
const DEFAULT_KEY_PREFIX = "sg:rl:";
/** Keys kept by one in-process limiter; beyond this the oldest window is dropped. */
const DEFAULT_MAX_KEYS = 100_000;
/**
 * How long a Redis command may take before the request is refused (503). Not shorter: a gateway whose event loop is
 * held up (a burst of cold requests on a busy machine) reads Redis's prompt answer only after the timer has fired, and
 * at 500 ms `npm run test:deploy` saw such spurious refusals on a loaded machine; not longer, so that a silent store
 * still fails closed in about a second.
 */
const REDIS_COMMAND_TIMEOUT_MS = 1000;

function decide(limit: number, count: number, msUntilReset: number): RateLimitDecision {
  const allowed = count <= limit;
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - count),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(msUntilReset / 1000)),
  };
}

function checkConfig(config: RateLimitConfig): void {
  if (!Number.isInteger(config.limit) || config.limit < 1) {
    throw new Error(`The rate limit must be a whole number of requests, 1 or more; got ${config.limit}.`);
  }
  if (!Number.isInteger(config.windowMs) || config.windowMs < 1) {
    throw new Error(`The rate-limit window must be a whole number of milliseconds, 1 or more; got ${config.windowMs}.`);
  }
}

export interface MemoryRateLimiter extends RateLimiter {
  readonly kind: "memory";
  /** Keys currently counted. */
  readonly size: number;
}

/** A fixed-window counter per key, for a single gateway process. */
export function createMemoryRateLimiter(config: RateLimitConfig, maxKeys = DEFAULT_MAX_KEYS): MemoryRateLimiter {
  checkConfig(config);
  const { limit, windowMs } = config;
  // Every window has the same length and a key is re-inserted when its window starts, so the Map's insertion
  // order is also the order in which windows end: expired keys are always at the front.
  const windows = new Map<string, { count: number; resetAt: number }>();

  const prune = (now: number) => {
    for (const [key, window] of windows) {
      if (window.resetAt > now && windows.size < maxKeys) break;
      windows.delete(key);
    }
  };

  return {
    kind: "memory",
    get size() {
      return windows.size;
    },
    async take(key) {
      const now = Date.now();
      let window = windows.get(key);
      if (!window || window.resetAt <= now) {
        windows.delete(key);
        prune(now);
        window = { count: 0, resetAt: now + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return decide(limit, window.count, window.resetAt - now);
    },
    async close() {
      windows.clear();
    },
  };
}

// Count and window start in one atomic step, so replicas sharing the store share the budget. A key that has
// somehow lost its expiry is given one again rather than blocking its user for good.
const TAKE_SCRIPT = `
local count = redis.call("INCR", KEYS[1])
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

type RedisWithTake = Redis & { rateLimitTake(key: string, windowMs: number): Promise<[number, number]> };

/** A fixed-window counter per key in Redis, shared by every gateway replica pointed at the same store. */
export function createRedisRateLimiter(config: RateLimitConfig & { redisUrl: string }): RateLimiter {
  checkConfig(config);
  const { limit, windowMs } = config;
  const prefix = config.keyPrefix ?? DEFAULT_KEY_PREFIX;
  // A slow or absent store must not hold requests: every command gives up after the timeout. The offline queue
  // stays on so requests in the first moments after start-up wait for the connection instead of failing.
  const redis = new Redis(config.redisUrl, {
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  }) as RedisWithTake;
  redis.defineCommand("rateLimitTake", { numberOfKeys: 1, lua: TAKE_SCRIPT });
  // Connection failures surface through take(); without a listener ioredis would print each one to stderr.
  redis.on("error", () => {});

  return {
    kind: "redis",
    async take(key) {
      let count: number;
      let ttl: number;
      try {
        [count, ttl] = await redis.rateLimitTake(`${prefix}${key}`, windowMs);
      } catch (error) {
        throw new Error("Rate limiting is unavailable: the rate-limit store did not answer in time.", {
          cause: error,
        });
      }
      return decide(limit, count, ttl);
    },
    async close() {
      if (redis.status === "ready") {
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
    },
  };
}

export function createRateLimiter(config: RateLimitConfig): RateLimiter {
  const { redisUrl } = config;
  return redisUrl ? createRedisRateLimiter({ ...config, redisUrl }) : createMemoryRateLimiter(config);
}

/** RATE_LIMIT_PER_MINUTE (default 300) per user; RATE_LIMIT_REDIS_URL to share counts between replicas. */
export function rateLimitConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimitConfig {
  const rawLimit = env.RATE_LIMIT_PER_MINUTE;
  let limit = DEFAULT_RATE_LIMIT_PER_MINUTE;
  if (rawLimit !== undefined && rawLimit !== "") {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`RATE_LIMIT_PER_MINUTE must be a whole number of requests, 1 or more; got "${rawLimit}".`);
    }
  }
  const redisUrl = env.RATE_LIMIT_REDIS_URL || undefined;
  if (redisUrl !== undefined) {
    // The URL may hold a password, so the message does not repeat it.
    let protocol: string | undefined;
    try {
      protocol = new URL(redisUrl).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== "redis:" && protocol !== "rediss:") {
      throw new Error("RATE_LIMIT_REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379.");
    }
  }
  // Several deployments (or test runs) may share one Redis: RATE_LIMIT_KEY_PREFIX keeps their counts apart.
  return { limit, windowMs: 60_000, redisUrl, keyPrefix: env.RATE_LIMIT_KEY_PREFIX || undefined };
}
