import type { IncomingMessage } from "node:http";
import { randomUUID } from "node:crypto";
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
    const key = identity ? `user:${identity.userId}` : `anon:${request.socket.remoteAddress ?? "unknown"}`;
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
