import { importJWK, SignJWT, type JWK } from "jose";
import { demoSubject, demoUserClaims, findDemoUser, GATEWAY_AUDIENCE } from "@safeguarding/shared/demo-users";
import { loadOrCreateKeyPair } from "@safeguarding/shared/keys";

export interface CraftOptions {
  /** The demo user whose claims the token starts from (default response-officer). */
  user?: string;
  /** Claims to add or override; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Another signing key (default: the cluster's identity provider's). */
  key?: JWK;
  alg?: string;
  iss?: string;
  aud?: string;
}

/** The identity provider's signing key, from the cluster's data dir, where the provider created it. */
export async function identityProviderKey(dataDir: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  return loadOrCreateKeyPair(dataDir, "identity-provider");
}

/**
 * A token shaped like the identity provider's access tokens for the gateway, signed with the provider's own key
 * unless told otherwise, with any claim, key or algorithm changed: for tests of what the gateway refuses and
 * accepts. Tests that need an ordinary token sign in through the provider instead (cluster.token).
 */
export async function craftToken(
  cluster: { dataDir: string; issuer: string },
  options: CraftOptions = {},
): Promise<string> {
  const idpKey = (await identityProviderKey(cluster.dataDir)).privateJwk;
  const user = findDemoUser(options.user ?? "response-officer")!;
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK(options.key ?? idpKey, options.alg ?? "EdDSA");
  return new SignJWT({
    ...demoUserClaims(user),
    sub: demoSubject(user),
    iss: options.iss ?? cluster.issuer,
    aud: options.aud ?? GATEWAY_AUDIENCE,
    iat: now,
    exp: now + 600,
    ...options.claims,
  })
    .setProtectedHeader({ alg: options.alg ?? "EdDSA", kid: idpKey.kid, typ: "at+jwt" })
    .sign(key);
}
