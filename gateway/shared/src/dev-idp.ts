import { importJWK, SignJWT, type JWK } from "jose";
import { loadOrCreateKeyPair } from "./keys.js";
import type { Role } from "./identity.js";

/**
 * A development identity provider: a local signing key (created on first start under <data dir>/keys) and the
 * demo users below, so `npm start` works with real, verified bearer tokens and no outside service. In production
 * the gateway is pointed at the force's or council's OpenID Connect provider instead (AUTH_JWKS_URL).
 */

export const DEV_ISSUER = "urn:safeguarding:dev-identity-provider";
export const DEV_AUDIENCE = "safeguarding-gateway";
/** The one claim the gateway trusts for the role; roles anywhere else in a token are ignored. */
export const DEFAULT_ROLE_CLAIM = "sg_role";

export interface DemoUser {
  /** What you type: `npm run token -- --user control-room`. */
  id: string;
  name: string;
  role: Role;
  organisation: string;
  email: string;
  note: string;
}

/** Invented people for the demo. The social worker is the one allocated to the demo child 999 000 0018. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: "control-room",
    name: "Priya Natt",
    role: "CONTROL_ROOM",
    organisation: "Avonvale Police, Force Control Room",
    email: "priya.natt@avonvale.police.example",
    note: "Call handler: identity, legal status and duties, out-of-hours plan, contacts, current risks.",
  },
  {
    id: "response-officer",
    name: "PC Daniel Okafor",
    role: "RESPONSE_OFFICER",
    organisation: "Avonvale Police, North Response",
    email: "daniel.okafor@avonvale.police.example",
    note: "As control room; the placement address only while the child is missing.",
  },
  {
    id: "police-safeguarding",
    name: "DS Helen Crane",
    role: "POLICE_SAFEGUARDING",
    organisation: "Avonvale Police, Missing and Exploited Children Team",
    email: "helen.crane@avonvale.police.example",
    note: "Adds CSE detail, meetings and return interviews; no clinical detail.",
  },
  {
    id: "social-worker",
    name: "Leah Marsh",
    role: "SOCIAL_WORKER",
    organisation: "North Avonvale Council, Children's Services",
    email: "leah.marsh@avonvale.gov.example",
    note: "Allocated social worker of the demo child 999 000 0018: sees clinical detail and the access log.",
  },
  {
    id: "social-worker-unallocated",
    name: "Sam Okoro",
    role: "SOCIAL_WORKER",
    organisation: "North Avonvale Council, Children's Services",
    email: "sam.okoro@avonvale.gov.example",
    note: "A social worker not allocated to the demo child: no clinical detail, no access log.",
  },
  {
    id: "edt",
    name: "Chris Doyle",
    role: "EDT",
    organisation: "Avonvale Emergency Duty Team",
    email: "chris.doyle@avonvale.gov.example",
    note: "Out-of-hours social care: the whole social-care record.",
  },
  {
    id: "camhs",
    name: "Dr Nadia Rahman",
    role: "HEALTH_CAMHS",
    organisation: "Avonvale CAMHS",
    email: "nadia.rahman@avonvale.nhs.example",
    note: "Clinical detail; no placement address.",
  },
  {
    id: "training-supervisor",
    name: "Insp. Mark Ellison",
    role: "TRAINING_SUPERVISOR",
    organisation: "Avonvale Police, Learning and Development",
    email: "mark.ellison@avonvale.police.example",
    note: "Training records and the glossary; no case content.",
  },
  {
    id: "auditor",
    name: "Fiona Grant",
    role: "AUDITOR",
    organisation: "Avonvale Police, Information Management",
    email: "fiona.grant@avonvale.police.example",
    note: "The access log of any child; no case content.",
  },
];

export function findDemoUser(id: string): DemoUser | undefined {
  return DEMO_USERS.find((user) => user.id === id);
}

export interface DevIdentityProvider {
  /** The public key set the gateway verifies against. */
  jwks: { keys: JWK[] };
  jwksPath: string;
  issue(user: DemoUser, options?: { ttlSeconds?: number }): Promise<string>;
}

/** The claims the development provider puts in a demo user's token (besides iss, aud, sub and the times). */
export function demoUserClaims(user: DemoUser): Record<string, unknown> {
  return {
    name: user.name,
    email: user.email,
    email_verified: true,
    org: user.organisation,
    [DEFAULT_ROLE_CLAIM]: user.role,
  };
}

export async function loadDevIdentityProvider(dataDir: string): Promise<DevIdentityProvider> {
  const pair = await loadOrCreateKeyPair(dataDir, "dev-identity-provider");
  const key = await importJWK(pair.privateJwk, "EdDSA");
  return {
    jwks: { keys: [pair.publicJwk] },
    jwksPath: pair.publicPath,
    async issue(user, options = {}) {
      return new SignJWT(demoUserClaims(user))
        .setProtectedHeader({ alg: "EdDSA", kid: pair.privateJwk.kid, typ: "JWT" })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setSubject(`demo:${user.id}`)
        .setIssuedAt()
        .setNotBefore("0s")
        .setExpirationTime(`${options.ttlSeconds ?? 8 * 3600}s`)
        .sign(key);
    },
  };
}
