import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from "node:crypto";
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
 * The gateway's assertion: a short-lived JWT, signed with a key only the gateway holds, that tells a subgraph who
 * the verified caller is, why they are looking and the cross-agency facts the policy's conditions need. Subgraphs
 * hold only the public key, so nobody else can mint one, and each assertion names the one subgraph it is for.
 *
 * It is our own token with one fixed algorithm (EdDSA over Ed25519), so it is signed and checked with node:crypto
 * directly: synchronous, and about a tenth of the cost of the general JOSE path, on every subgraph call. Users'
 * tokens, which come from outside in many shapes, are verified with jose at the gateway.
 */

/**
 * Each subgraph answer names the children it touched in this header, so the gateway's audit entry names them even
 * when the request gave only a record id (recordFound on an episode id) or a name.
 */
export const CHILDREN_HEADER = "x-safeguarding-children";

export const ASSERTION_HEADER = "x-safeguarding-assertion";
export const ASSERTION_ISSUER = "safeguarding-gateway";
const ALGORITHM = "EdDSA";
/** Long enough for a slow subgraph call, short enough that a captured assertion is soon useless. */
export const ASSERTION_TTL_SECONDS = 60;

/** Clock difference tolerated between the gateway and a subgraph, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 5;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function ed25519Key(jwk: JWK, kind: "private" | "public"): KeyObject {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") throw new Error("The assertion key must be an Ed25519 JWK.");
  const input = { key: jwk as JsonWebKey, format: "jwk" as const };
  return kind === "private" ? createPrivateKey(input) : createPublicKey(input);
}

export interface AssertionSigner {
  sign(grant: AccessGrant, audience: string): Promise<string>;
}

export async function createAssertionSigner(privateJwk: JWK): Promise<AssertionSigner> {
  const key = ed25519Key(privateJwk, "private");
  const header = base64url({ alg: ALGORITHM, kid: privateJwk.kid, typ: "JWT" });
  return {
    async sign(grant, audience) {
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
      const signature = sign(null, Buffer.from(`${header}.${payload}`), key).toString("base64url");
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
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  if (!verify(null, signed, key, Buffer.from(signaturePart, "base64url")))
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

export async function createAssertionVerifier(publicJwk: JWK, audience: string): Promise<AssertionVerifier> {
  const key = ed25519Key(publicJwk, "public");
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
        via: payload.via === "protocol" ? "protocol" : null,
      };
    },
  };
}
