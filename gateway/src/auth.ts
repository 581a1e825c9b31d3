import { readFileSync } from "node:fs";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from "jose";
import { DEFAULT_ROLE_CLAIM, GATEWAY_AUDIENCE } from "@safeguarding/shared/demo-users";
import { isRole, ROLES, type Identity } from "@safeguarding/shared/identity";
import { serviceLog } from "@safeguarding/shared/log";

/**
 * Bearer tokens: OAuth2 / OpenID Connect access tokens, verified for signature, issuer, audience, expiry and
 * not-before against a JWKS from configuration. The algorithm list is fixed and asymmetric only, so `alg: none`
 * and HMAC tokens (the classic key-confusion attack against a public key) are refused before any key is tried.
 */
export const ACCEPTED_ALGORITHMS = ["EdDSA", "ES256", "ES384", "RS256", "PS256"] as const;

export interface TrustedIssuer {
  issuer: string;
  audience: string;
  /** Where the verification keys come from. */
  jwks: { url: string } | { file: string } | { keys: JSONWebKeySet };
}

export interface AuthConfig extends TrustedIssuer {
  /** The one claim the role is read from; roles anywhere else in the token are ignored. */
  roleClaim: string;
  organisationClaim: string;
  clockToleranceSeconds: number;
}

/** The development identity provider `npm start` runs (gateway/identity-provider): the local AUTH_ISSUER. */
export const DEVELOPMENT_ISSUER = "http://127.0.0.1:4400";

/** What the gateway needs from an OpenID Provider's discovery document (OpenID Connect Discovery 1.0, section 3). */
interface ProviderMetadata {
  issuer?: unknown;
  jwks_uri?: unknown;
}

/**
 * The issuer's JWKS address from its discovery document, `<AUTH_ISSUER>/.well-known/openid-configuration`. The
 * document must name the same issuer (section 4.3 of the specification: otherwise another provider's keys could be
 * trusted for this issuer's tokens), and in production its jwks_uri must be https. Retried briefly, because
 * `npm start` and a deployment may start the gateway while the provider is still coming up.
 */
export async function discoverJwksUri(
  issuer: string,
  production: boolean,
  options: { attempts?: number; delayMs?: number; timeoutMs?: number } = {},
): Promise<string> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const attempts = options.attempts ?? 5;
  let metadata: ProviderMetadata | undefined;
  let lastProblem = "";
  for (let attempt = 1; attempt <= attempts && !metadata; attempt += 1) {
    try {
      const response = await fetch(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
      });
      if (!response.ok) lastProblem = `it answered ${response.status}`;
      else metadata = (await response.json()) as ProviderMetadata;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    if (!metadata && attempt < attempts) await new Promise((r) => setTimeout(r, options.delayMs ?? 1000));
  }
  if (!metadata) throw new Error(`Cannot read the identity provider's discovery document ${url}: ${lastProblem}.`);
  if (metadata.issuer !== issuer) {
    throw new Error(
      `The discovery document at ${url} names the issuer "${String(metadata.issuer)}", not AUTH_ISSUER "${issuer}": set AUTH_ISSUER to the issuer its tokens carry.`,
    );
  }
  const jwksUri = metadata.jwks_uri;
  if (typeof jwksUri !== "string" || !/^https?:\/\//.test(jwksUri)) {
    throw new Error(`The discovery document at ${url} has no http(s) jwks_uri.`);
  }
  // Keys fetched over plain HTTP could be swapped in transit, and with them anyone's role.
  if (production && !jwksUri.startsWith("https://")) {
    throw new Error(`The identity provider's jwks_uri must use https:// when NODE_ENV=production; got ${jwksUri}.`);
  }
  return jwksUri;
}

/**
 * Where the gateway's keys come from, in order: AUTH_JWKS_URL (the provider's jwks_uri) or AUTH_JWKS_FILE, with
 * AUTH_ISSUER and AUTH_AUDIENCE; else AUTH_ISSUER alone, whose discovery document names the jwks_uri (AUTH_AUDIENCE
 * required in production, `safeguarding-gateway` locally). Locally, with none set, the development identity provider
 * at DEVELOPMENT_ISSUER. Every token comes from an OpenID Connect provider: nothing signs tokens in process.
 *
 * `_dataDir` is no longer read (the in-process development signer kept its key there); start.ts still passes it.
 */
export async function authConfigFromEnv(
  _dataDir: string,
  production: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AuthConfig> {
  const common = {
    roleClaim: env.AUTH_ROLE_CLAIM || DEFAULT_ROLE_CLAIM,
    organisationClaim: env.AUTH_ORGANISATION_CLAIM || "org",
    clockToleranceSeconds: 30,
  };
  if (env.AUTH_JWKS_URL || env.AUTH_JWKS_FILE) {
    if (!env.AUTH_ISSUER || !env.AUTH_AUDIENCE) {
      throw new Error("AUTH_ISSUER and AUTH_AUDIENCE must be set with AUTH_JWKS_URL or AUTH_JWKS_FILE.");
    }
    if (env.AUTH_JWKS_URL && !/^https?:\/\//.test(env.AUTH_JWKS_URL)) {
      throw new Error(`AUTH_JWKS_URL must be an http(s) URL; got "${env.AUTH_JWKS_URL}".`);
    }
    // Keys fetched over plain HTTP could be swapped in transit, and with them anyone's role.
    if (production && env.AUTH_JWKS_URL?.startsWith("http://")) {
      throw new Error("AUTH_JWKS_URL must use https:// when NODE_ENV=production.");
    }
    return {
      ...common,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      jwks: env.AUTH_JWKS_URL ? { url: env.AUTH_JWKS_URL } : { file: env.AUTH_JWKS_FILE! },
    };
  }
  if (production && !env.AUTH_ISSUER)
    throw new Error("AUTH_ISSUER, or AUTH_JWKS_URL or AUTH_JWKS_FILE, must be set when NODE_ENV=production.");
  const issuer = env.AUTH_ISSUER || DEVELOPMENT_ISSUER;
  if (!/^https?:\/\//.test(issuer)) {
    throw new Error(`AUTH_ISSUER must be the identity provider's http(s) issuer URL; got "${issuer}".`);
  }
  if (production && !env.AUTH_AUDIENCE) throw new Error("AUTH_AUDIENCE must be set when NODE_ENV=production.");
  if (!env.AUTH_ISSUER)
    serviceLog("gateway").info({ issuer }, "AUTH_ISSUER is not set: trusting the development identity provider");
  return {
    ...common,
    issuer,
    audience: env.AUTH_AUDIENCE || GATEWAY_AUDIENCE,
    jwks: { url: await discoverJwksUri(issuer, production) },
  };
}

export class AuthenticationFailed extends Error {}

export interface Authenticator {
  /** null when the request carries no token; throws AuthenticationFailed with a sentence for a bad one. */
  authenticate(authorization: string | undefined): Promise<Identity | null>;
}

function keySet(jwks: TrustedIssuer["jwks"]): JWTVerifyGetKey {
  if ("url" in jwks) return createRemoteJWKSet(new URL(jwks.url), { timeoutDuration: 3000, cooldownDuration: 30_000 });
  if ("file" in jwks) {
    let parsed: JSONWebKeySet;
    try {
      parsed = JSON.parse(readFileSync(jwks.file, "utf8")) as JSONWebKeySet;
    } catch (error) {
      throw new Error(`Cannot read AUTH_JWKS_FILE ${jwks.file}: ${(error as Error).message}`, { cause: error });
    }
    if (!Array.isArray(parsed.keys)) throw new Error(`AUTH_JWKS_FILE ${jwks.file} has no "keys" array.`);
    return createLocalJWKSet(parsed);
  }
  return createLocalJWKSet(jwks.keys);
}

/** Why a token was refused, in words a caller can act on and nothing an attacker can use. */
function refusal(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "Your token has expired: sign in again to get a new one.";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "Your token is not valid yet: check the clock of the system that issued it.";
    if (error.claim === "iss" || error.claim === "aud")
      return "Your token was not issued for this gateway: sign in through the safeguarding gateway's identity provider.";
    return `Your token is missing or has a bad "${error.claim}" claim: sign in again.`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return `Your token is signed with an algorithm this gateway does not accept (accepted: ${ACCEPTED_ALGORITHMS.join(", ")}).`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey)
    return "Your token's signature could not be verified: sign in again through the gateway's identity provider.";
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JOSEError)
    return "Your token could not be verified: sign in again; if it keeps failing, report it with the time.";
  return "Your token could not be verified: sign in again.";
}

/** Tokens already verified, by their exact text: a user's token is sent with every request until it expires. */
const VERIFIED_CACHE_SIZE = 10_000;

export function createAuthenticator(config: AuthConfig): Authenticator {
  const keys = keySet(config.jwks);
  // Verifying a signature costs more than the rest of a request's identity work together. The same bytes always
  // verify the same way, so a token that verified once is not checked again; only its times are, on every use.
  const verified = new Map<string, Record<string, unknown>>();
  const stillValid = (payload: Record<string, unknown>) => {
    const now = Date.now() / 1000;
    if (typeof payload.exp === "number" && payload.exp + config.clockToleranceSeconds <= now)
      throw new AuthenticationFailed(refusal(new joseErrors.JWTExpired("expired", payload)));
    if (typeof payload.nbf === "number" && payload.nbf - config.clockToleranceSeconds > now)
      throw new AuthenticationFailed(refusal(new joseErrors.JWTClaimValidationFailed("nbf", payload, "nbf")));
    return payload;
  };
  return {
    async authenticate(authorization) {
      if (authorization === undefined || authorization === "") return null;
      const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization.trim());
      if (!match) throw new AuthenticationFailed('Send the token as "Authorization: Bearer <token>".');
      const token = match[1];
      let payload: Record<string, unknown> | undefined = verified.get(token);
      if (payload) {
        try {
          stillValid(payload);
        } catch (error) {
          verified.delete(token);
          throw error;
        }
      } else {
        try {
          ({ payload } = await jwtVerify(token, keys, {
            issuer: config.issuer,
            audience: config.audience,
            algorithms: [...ACCEPTED_ALGORITHMS],
            clockTolerance: config.clockToleranceSeconds,
            requiredClaims: ["sub", "exp"],
          }));
        } catch (error) {
          throw new AuthenticationFailed(refusal(error));
        }
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, payload);
      }
      const claimed = payload[config.roleClaim];
      // Entra ID and others send app roles as an array (`roles`): one of ours in it is the role. Two would leave the
      // gateway guessing which one the person is acting in, so that is refused rather than the wider one chosen.
      const roles = Array.isArray(claimed) ? claimed.filter(isRole) : [claimed];
      if (roles.length > 1) {
        throw new AuthenticationFailed(
          `Your token carries more than one role in its "${config.roleClaim}" claim (${roles.join(", ")}): ask your administrator to assign you one.`,
        );
      }
      const role = roles[0];
      if (!isRole(role)) {
        throw new AuthenticationFailed(
          `Your token carries no recognised role in its "${config.roleClaim}" claim (one of ${ROLES.join(", ")}): ask your administrator to assign one.`,
        );
      }
      const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : null);
      return {
        userId: String(payload.sub),
        name: text(payload.name) ?? String(payload.sub),
        role,
        organisation: text(payload[config.organisationClaim]) ?? "unknown organisation",
        // Only an address the identity provider has verified: allocation to a child is matched on it.
        email: payload.email_verified === true ? text(payload.email) : null,
      };
    },
  };
}
