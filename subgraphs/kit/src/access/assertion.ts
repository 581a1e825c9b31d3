import { importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type KeyObject } from "jose";
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
 */

export const ASSERTION_HEADER = "x-safeguarding-assertion";
export const ASSERTION_ISSUER = "safeguarding-gateway";
const ALGORITHM = "EdDSA";
/** Long enough for a slow subgraph call, short enough that a captured assertion is soon useless. */
export const ASSERTION_TTL_SECONDS = 60;

type Key = CryptoKey | KeyObject | Uint8Array;

export interface AssertionSigner {
  sign(grant: AccessGrant, audience: string): Promise<string>;
}

export async function createAssertionSigner(privateJwk: JWK): Promise<AssertionSigner> {
  const key = (await importJWK(privateJwk, ALGORITHM)) as Key;
  return {
    async sign(grant, audience) {
      const { identity } = grant;
      return new SignJWT({
        name: identity.name,
        role: identity.role,
        org: identity.organisation,
        email: identity.email,
        purpose: grant.purpose,
        rid: grant.requestId,
        facts: compactFacts(grant.facts),
        via: grant.via,
      })
        .setProtectedHeader({ alg: ALGORITHM, kid: privateJwk.kid })
        .setIssuer(ASSERTION_ISSUER)
        .setAudience(audience)
        .setSubject(identity.userId)
        .setIssuedAt()
        .setExpirationTime(`${ASSERTION_TTL_SECONDS}s`)
        .sign(key);
    },
  };
}

/** Facts as two lists of NHS numbers: small, and no per-child object to validate. */
function compactFacts(facts: Record<string, ChildFacts>): { missing: string[]; allocated: string[] } {
  const entries = Object.entries(facts);
  return {
    missing: entries.filter(([, f]) => f.openMissingEpisode).map(([id]) => id),
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

export async function createAssertionVerifier(publicJwk: JWK, audience: string): Promise<AssertionVerifier> {
  const key = (await importJWK(publicJwk, ALGORITHM)) as Key;
  return {
    async verify(token) {
      if (!token) throw new AssertionError("no gateway assertion");
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, key, {
          issuer: ASSERTION_ISSUER,
          audience,
          algorithms: [ALGORITHM],
          requiredClaims: ["sub", "exp", "iat"],
          maxTokenAge: ASSERTION_TTL_SECONDS + 5,
        }));
      } catch (error) {
        throw new AssertionError(`invalid gateway assertion: ${(error as Error).message}`);
      }
      if (!isRole(payload.role)) throw new AssertionError("the gateway assertion names no known role");
      const facts: AccessGrant["facts"] = {};
      const raw = (payload.facts ?? {}) as Record<string, unknown>;
      for (const id of stringList(raw.missing))
        facts[id] = { ...(facts[id] ?? { allocatedSocialWorker: false }), openMissingEpisode: true };
      for (const id of stringList(raw.allocated))
        facts[id] = { ...(facts[id] ?? { openMissingEpisode: false }), allocatedSocialWorker: true };
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
