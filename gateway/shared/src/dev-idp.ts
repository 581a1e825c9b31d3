import { importJWK, SignJWT, type JWK } from "jose";
import { loadOrCreateKeyPair } from "./keys.js";
import { demoSubject, demoUserClaims, GATEWAY_AUDIENCE, type DemoUser } from "./demo-users.js";

export {
  DEFAULT_ROLE_CLAIM,
  DEMO_USERS,
  demoSubject,
  demoUserClaims,
  findDemoUser,
  type DemoUser,
} from "./demo-users.js";

/**
 * The in-process development signer that came before the identity provider (gateway/identity-provider): it signs
 * a token for any demo user with a key under <data dir>/keys, no sign-in. It stays only for the training portal's
 * action card, which mints its gateway tokens here until the portal signs in through the identity provider
 * (issue 11); the gateway trusts it only outside production and only when told to (AUTH_TRUST_DEV_SIGNER=true).
 * Delete it, and that setting, once the portal no longer imports it.
 */

export const DEV_ISSUER = "urn:safeguarding:dev-identity-provider";
export const DEV_AUDIENCE = GATEWAY_AUDIENCE;

export interface DevIdentityProvider {
  /** The public key set the gateway verifies against. */
  jwks: { keys: JWK[] };
  jwksPath: string;
  issue(user: DemoUser, options?: { ttlSeconds?: number }): Promise<string>;
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
        .setSubject(demoSubject(user))
        .setIssuedAt()
        .setNotBefore("0s")
        .setExpirationTime(`${options.ttlSeconds ?? 8 * 3600}s`)
        .sign(key);
    },
  };
}
