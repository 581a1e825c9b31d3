import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from "node:crypto";
import type { JWK } from "jose";
import {
  ACCESS_PURPOSE_CODES,
  isRole,
  type AccessGrant,
  type AccessPurpose,
  type AccessPurposeCode,
  type ChildFacts,
} from "./identity.js";

/**
 * The gateway's assertion: a short-lived JWT that tells an agency who the verified caller is, why they are looking
 * and the cross-agency facts the policy's conditions need, and names the one agency it is for.
 *
 * It is MACed with HMAC-SHA256 under a key of that agency's own: the gateway holds one secret and derives each
 * agency's key from it (HKDF, the agency's name as the info), and each agency holds only its own key. So an agency
 * can check what the gateway sent it and nobody without the gateway's secret can mint one; an agency whose key leaks
 * can be sent forged assertions only by whoever has its key, which already reads that agency's data. (It was
 * Ed25519 until one read became one request per agency: verifying a signature cost 137 µs of the ~900 µs an agency
 * spends on a read, an HMAC 4 µs. `npm run bench -w @safeguarding/shared` prints both.)
 *
 * It is our own token with one fixed algorithm, checked with node:crypto directly and synchronously. Users' tokens,
 * which come from outside in many shapes, are verified with jose at the gateway.
 */

/**
 * Each subgraph answer names the children it touched in this header, so the gateway's audit entry names them even
 * when the request gave only a record id (recordFound on an episode id) or a name.
 */
export const CHILDREN_HEADER = "x-safeguarding-children";

export const ASSERTION_HEADER = "x-safeguarding-assertion";
export const ASSERTION_ISSUER = "safeguarding-gateway";
const ALGORITHM = "HS256";
/** Long enough for a slow subgraph call, short enough that a captured assertion is soon useless. */
export const ASSERTION_TTL_SECONDS = 60;

/** Clock difference tolerated between the gateway and a subgraph, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A symmetric key as a JWK: kty "oct", the key in k. */
function secretOf(jwk: JWK, what: string): Buffer {
  if (jwk.kty !== "oct" || typeof jwk.k !== "string") throw new Error(`The ${what} must be a symmetric (oct) JWK.`);
  const key = Buffer.from(jwk.k, "base64url");
  if (key.length < 32) throw new Error(`The ${what} must hold at least 256 bits.`);
  return key;
}

/**
 * The key the gateway MACs one agency's assertions with, derived from its secret: what that agency is given as
 * GATEWAY_ASSERTION_KEY_FILE (npm run deploy:secrets writes one per agency).
 */
export function agencyAssertionKey(gatewaySecret: JWK, agency: string): JWK {
  const key = Buffer.from(hkdfSync("sha256", secretOf(gatewaySecret, "gateway assertion secret"), SALT, agency, 32));
  return {
    kty: "oct",
    k: key.toString("base64url"),
    alg: ALGORITHM,
    kid: `${gatewaySecret.kid ?? "gateway"}:${agency}`,
  };
}

const SALT = "safeguarding-gateway-assertion/v1";

export interface AssertionSigner {
  sign(grant: AccessGrant, audience: string): Promise<string>;
}

export async function createAssertionSigner(gatewaySecret: JWK): Promise<AssertionSigner> {
  secretOf(gatewaySecret, "gateway assertion secret");
  // One key object and header per agency, derived once: each assertion is then one HMAC.
  const perAgency = new Map<string, { key: KeyObject; header: string }>();
  const forAgency = (audience: string) => {
    let entry = perAgency.get(audience);
    if (!entry) {
      const jwk = agencyAssertionKey(gatewaySecret, audience);
      entry = {
        key: createSecretKey(secretOf(jwk, "agency assertion key")),
        header: base64url({ alg: ALGORITHM, kid: jwk.kid, typ: "JWT" }),
      };
      perAgency.set(audience, entry);
    }
    return entry;
  };
  return {
    async sign(grant, audience) {
      const { key, header } = forAgency(audience);
      const { identity } = grant;
      const now = Math.floor(Date.now() / 1000);
      const payload = base64url({
        iss: ASSERTION_ISSUER,
        aud: audience,
        sub: identity.userId,
        iat: now,
        exp: now + ASSERTION_TTL_SECONDS,
        name: identity.name,
        role: identity.role,
        org: identity.organisation,
        email: identity.email,
        purpose: grant.purpose,
        rid: grant.requestId,
        facts: compactFacts(grant.facts),
        via: grant.via,
      });
      const signature = createHmac("sha256", key).update(`${header}.${payload}`).digest("base64url");
      return `${header}.${payload}.${signature}`;
    },
  };
}

/** Facts as two lists of NHS numbers: small, and no per-child object to validate. */
function compactFacts(facts: Record<string, ChildFacts>): { missing: string[]; allocated: string[] } {
  const entries = Object.entries(facts);
  return {
    missing: entries.filter(([, f]) => f.missingOrRecentlyFound).map(([id]) => id),
    allocated: entries.filter(([, f]) => f.allocatedSocialWorker).map(([id]) => id),
  };
}

export class AssertionError extends Error {}

export interface AssertionVerifier {
  verify(token: string | undefined): Promise<AccessGrant>;
}

const stringOr = (value: unknown, fallback: string | null) => (typeof value === "string" ? value : fallback);
const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

function purposeFrom(value: unknown): AccessPurpose | null {
  if (!value || typeof value !== "object") return null;
  const p = value as Record<string, unknown>;
  if (!(ACCESS_PURPOSE_CODES as readonly unknown[]).includes(p.code) || typeof p.reference !== "string") return null;
  return { code: p.code as AccessPurposeCode, reference: p.reference, agreement: stringOr(p.agreement, null) };
}

/** Checks signature, algorithm, issuer, audience, expiry and age; throws AssertionError saying which failed. */
function verifiedPayload(token: string, key: KeyObject, audience: string): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new AssertionError("the gateway assertion is not a JWT");
  const [headerPart, payloadPart, signaturePart] = parts;
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as Record<string, unknown>;
    payload = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new AssertionError("the gateway assertion is not a JWT");
  }
  if (header.alg !== ALGORITHM) throw new AssertionError(`the gateway assertion is not signed with ${ALGORITHM}`);
  const expected = createHmac("sha256", key).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new AssertionError("the gateway assertion's signature does not verify");
  const now = Math.floor(Date.now() / 1000);
  if (payload.iss !== ASSERTION_ISSUER) throw new AssertionError("the assertion was not issued by the gateway");
  if (payload.aud !== audience) throw new AssertionError(`the assertion's audience is not ${audience}`);
  if (typeof payload.sub !== "string" || !payload.sub) throw new AssertionError("the assertion names no subject");
  if (typeof payload.exp !== "number" || payload.exp + CLOCK_TOLERANCE_SECONDS < now)
    throw new AssertionError("the gateway assertion has expired");
  if (
    typeof payload.iat !== "number" ||
    payload.iat > now + CLOCK_TOLERANCE_SECONDS ||
    now - payload.iat > ASSERTION_TTL_SECONDS + CLOCK_TOLERANCE_SECONDS
  )
    throw new AssertionError("the gateway assertion is too old or from the future");
  return payload;
}

/** Checks assertions for one agency with that agency's own key (agencyAssertionKey). */
export async function createAssertionVerifier(agencyKey: JWK, audience: string): Promise<AssertionVerifier> {
  const key = createSecretKey(secretOf(agencyKey, "agency assertion key"));
  return {
    async verify(token) {
      if (!token) throw new AssertionError("no gateway assertion");
      const payload = verifiedPayload(token, key, audience);
      if (!isRole(payload.role)) throw new AssertionError("the gateway assertion names no known role");
      const facts: AccessGrant["facts"] = {};
      const raw = (payload.facts ?? {}) as Record<string, unknown>;
      for (const id of stringList(raw.missing))
        facts[id] = { ...(facts[id] ?? { allocatedSocialWorker: false }), missingOrRecentlyFound: true };
      for (const id of stringList(raw.allocated))
        facts[id] = { ...(facts[id] ?? { missingOrRecentlyFound: false }), allocatedSocialWorker: true };
      return {
        identity: {
          userId: String(payload.sub),
          name: stringOr(payload.name, String(payload.sub))!,
          role: payload.role,
          organisation: stringOr(payload.org, "unknown")!,
          email: stringOr(payload.email, null),
        },
        purpose: purposeFrom(payload.purpose),
        requestId: stringOr(payload.rid, "unknown")!,
        facts,
        via: payload.via === "protocol" || payload.via === "watch" ? payload.via : null,
      };
    },
  };
}
