import { importJWK, SignJWT, type JWK } from "jose";
import { demoUserClaims, DEV_AUDIENCE, DEV_ISSUER, findDemoUser } from "@safeguarding/shared/dev-idp";
import { loadOrCreateKeyPair } from "@safeguarding/shared/keys";

export interface CraftOptions {
  /** The demo user whose claims the token starts from (default response-officer). */
  user?: string;
  /** Claims to add or override; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Another signing key (default: the cluster's development identity provider's). */
  key?: JWK;
  alg?: string;
  iss?: string;
  aud?: string;
}

/**
 * A token shaped like the development identity provider's, signed with its key from the cluster's data dir unless
 * told otherwise, with any claim, key or algorithm changed: for tests of what the gateway refuses and accepts.
 */
export async function craftToken(dataDir: string, options: CraftOptions = {}): Promise<string> {
  const idpKey = (await loadOrCreateKeyPair(dataDir, "dev-identity-provider")).privateJwk;
  const user = findDemoUser(options.user ?? "response-officer")!;
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK(options.key ?? idpKey, options.alg ?? "EdDSA");
  return new SignJWT({
    ...demoUserClaims(user),
    sub: `demo:${user.id}`,
    iss: options.iss ?? DEV_ISSUER,
    aud: options.aud ?? DEV_AUDIENCE,
    iat: now,
    exp: now + 600,
    ...options.claims,
  })
    .setProtectedHeader({ alg: options.alg ?? "EdDSA", kid: idpKey.kid })
    .sign(key);
}
