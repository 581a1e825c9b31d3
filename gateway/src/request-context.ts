import type { IncomingMessage } from "node:http";
import { randomUUID } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { HttpRefusal } from "@safeguarding/kit";
import type { AssertionSigner } from "@safeguarding/shared/assertion";
import { newAccessRecord } from "@safeguarding/shared/request-audit";
import { AuthenticationFailed, type Authenticator } from "./auth.js";
import { anonymousMayRun, SIGN_IN_FIRST } from "./plugins/sign-in.js";
import type { GatewayContext } from "./context.js";
import type { RateLimiter } from "./rate-limit.js";
import { rateLimitRefusals } from "./metrics.js";

export interface RequestContextDependencies {
  authenticator: Authenticator;
  limiter: RateLimiter;
  signer: AssertionSigner;
  /** The parser's token limit, so a request without a token is not parsed at any size. */
  maxTokens: number;
  /** The load balancers in front of the gateway (TRUSTED_PROXIES), whose X-Forwarded-For is believed. */
  trustedProxies?: TrustedProxies;
}

/**
 * The address a request came from, for limiting callers without a token. Behind a load balancer every request
 * arrives from it, so its X-Forwarded-For is read, right to left, past the proxies we trust: the first address that
 * is not one of ours is the caller's (anything further left was written by the caller and could be made up).
 */
export function callerAddress(request: IncomingMessage, trustedProxies?: TrustedProxies): string {
  const socket = request.socket.remoteAddress ?? "unknown";
  if (!trustedProxies?.has(socket)) return socket;
  const header = request.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i -= 1) if (hops[i] && !trustedProxies.has(hops[i])) return hops[i];
  return socket;
}

export interface TrustedProxies {
  has(address: string): boolean;
}

/** TRUSTED_PROXIES: addresses or subnets, comma-separated (10.0.0.5, 172.28.0.0/24, ::1). */
export function trustedProxiesFrom(setting: string | undefined): TrustedProxies {
  const list = new BlockList();
  for (const entry of (setting ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address, prefix] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : isIP(address) === 4 ? "ipv4" : null;
    if (!family) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or subnet.`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return {
    has(address) {
      // Node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d.
      const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
      const family = isIP(plain) === 6 ? "ipv6" : isIP(plain) === 4 ? "ipv4" : null;
      return family !== null && list.check(plain, family);
    },
  };
}

/**
 * Who is asking, before any GraphQL runs: the bearer token verified, the request counted against its user's limit
 * (or its address's, without a valid token), a request id of the gateway's own, and the grant every agency is
 * told about in its assertion. A bad token, an exhausted limit or a silent limiter is an HTTP refusal.
 */
export function createRequestContext(deps: RequestContextDependencies) {
  const { authenticator, limiter, signer } = deps;
  return async (request: IncomingMessage, body: unknown, search: string): Promise<GatewayContext> => {
    const authorization = request.headers.authorization;
    let identity;
    let refused: AuthenticationFailed | null = null;
    try {
      identity = await authenticator.authenticate(typeof authorization === "string" ? authorization : undefined);
    } catch (error) {
      if (!(error instanceof AuthenticationFailed)) throw error;
      refused = error;
    }
    // Counted before a bad token is refused, so guessing at tokens is limited per address like anything else.
    const key = identity ? `user:${identity.userId}` : `anon:${callerAddress(request, deps.trustedProxies)}`;
    let decision;
    try {
      decision = await limiter.take(key);
    } catch {
      rateLimitRefusals.inc({ reason: "unavailable", caller: identity ? "user" : "anonymous" });
      throw new HttpRefusal(
        503,
        "RATE_LIMIT_UNAVAILABLE",
        "The gateway cannot check request limits just now, so it is not answering. Try again shortly.",
        { "retry-after": "5" },
      );
    }
    if (!decision.allowed) {
      rateLimitRefusals.inc({ reason: "limit", caller: identity ? "user" : "anonymous" });
      throw new HttpRefusal(
        429,
        "RATE_LIMITED",
        `You have made more than ${decision.limit} requests in a minute: wait ${decision.retryAfterSeconds} s and try again.`,
        { "retry-after": String(decision.retryAfterSeconds) },
      );
    }
    if (refused) {
      throw new HttpRefusal(401, "UNAUTHENTICATED", refused.message, {
        "www-authenticate": 'Bearer error="invalid_token"',
      });
    }
    if (!identity && !anonymousMayRun(body, search, deps.maxTokens))
      throw new HttpRefusal(401, "UNAUTHENTICATED", SIGN_IN_FIRST, { "www-authenticate": "Bearer" });
    // A caller's own id is kept as the start of ours, for their support calls; the gateway's suffix makes every
    // request id unique, so a caller cannot tie their request to someone else's entries.
    const header = request.headers["x-request-id"];
    const suffix = randomUUID();
    const requestId =
      typeof header === "string" && /^[\w-]{1,64}$/.test(header) ? `${header}.${suffix.slice(0, 8)}` : suffix;
    const grant = identity ? { identity, purpose: null, requestId, facts: {}, via: null } : null;
    return {
      requestId,
      grant,
      access: newAccessRecord(),
      warnings: [],
      unavailableAgencies: new Map(),
      async assertionFor(audience: string, via?: "protocol") {
        if (!grant) throw new Error("No identity to assert: the request is anonymous.");
        return signer.sign(via ? { ...grant, via } : grant, audience);
      },
    };
  };
}
