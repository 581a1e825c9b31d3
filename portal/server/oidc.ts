import * as client from "openid-client";
import { isRole, type Role } from "@safeguarding/shared/identity";
import type { OidcConfig } from "./config.ts";
import type { PendingSignIn, Session } from "./session.ts";
import type { PortalUser } from "./user.ts";

/**
 * The portal as an OpenID Connect client (openid-client): authorization code with PKCE (S256), state and nonce, a
 * confidential client authenticating with client_secret_basic. One exchange gives both the ID token (who the user
 * is) and the gateway's access token (`resource` at the token endpoint), which the action card sends as the user.
 */

export interface OidcClientOptions extends Omit<OidcConfig, "clientSecret"> {
  clientSecret: string;
  /** The portal's own address: the redirect URI and post-logout address are built on it. */
  baseUrl: URL;
  /** How long to wait for the provider. */
  timeoutSeconds?: number;
}

/** Signing in could not finish; the message says why, for the log (it holds no token). */
export class SignInFailed extends Error {
  constructor(
    message: string,
    /** The provider's OAuth error code, when it answered with one (access_denied when the user cancelled). */
    readonly error?: string,
  ) {
    super(message);
  }
}

/** The one role of ours in the claim: a string, or an array holding exactly one (as Entra ID sends `roles`). */
function roleFrom(value: unknown): Role | null {
  const ours = (Array.isArray(value) ? value : [value]).filter(isRole);
  return ours.length === 1 ? ours[0] : null;
}

const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : null);

/** Who the ID token says signed in. */
export function userFromClaims(claims: Record<string, unknown>, roleClaim: string): PortalUser {
  const subject = String(claims.sub);
  return {
    subject,
    username: text(claims.preferred_username),
    name: text(claims.name) ?? subject,
    organisation: text(claims.org),
    role: roleFrom(claims[roleClaim]),
  };
}

/** Sends the server's own calls to the issuer's origin to the internal address instead (OIDC_INTERNAL_URL). */
function towards(issuer: string, internalOrigin: string): client.CustomFetch {
  const publicOrigin = new URL(issuer).origin;
  return (url, init) =>
    fetch(
      url.startsWith(publicOrigin) ? `${internalOrigin}${url.slice(publicOrigin.length)}` : url,
      init as RequestInit,
    );
}

export function createOidcClient(options: OidcClientOptions) {
  const redirectUri = new URL("/auth/callback", options.baseUrl);
  const postLogoutRedirectUri = new URL("/", options.baseUrl);
  let configuration: Promise<client.Configuration> | undefined;

  /** The provider's metadata, read on first use (the portal starts whether or not the provider answers yet). */
  function provider(): Promise<client.Configuration> {
    configuration ??= client
      .discovery(
        new URL(options.issuer),
        options.clientId,
        { client_secret: options.clientSecret },
        client.ClientSecretBasic(options.clientSecret),
        {
          // Plain http only for a local provider; config.ts requires https in production.
          execute: new URL(options.issuer).protocol === "http:" ? [client.allowInsecureRequests] : [],
          timeout: options.timeoutSeconds ?? 5,
          ...(options.internalUrl ? { [client.customFetch]: towards(options.issuer, options.internalUrl) } : {}),
        },
      )
      .catch((error: unknown) => {
        configuration = undefined; // ask again next time rather than fail until restart
        throw new SignInFailed(`the identity provider at ${options.issuer} did not answer (${describe(error)})`);
      });
    return configuration;
  }

  return {
    /** Fresh state, nonce and PKCE verifier for one sign-in: kept server-side until the provider sends the user back. */
    newSignIn(returnTo: string): PendingSignIn {
      return {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        returnTo,
      };
    },

    /** Where to send the browser to sign in; `prompt: "login"` asks again even when the provider has a session. */
    async authorizationUrl(pending: PendingSignIn, prompt?: "login"): Promise<URL> {
      const parameters: Record<string, string> = {
        redirect_uri: redirectUri.href,
        scope: options.scope,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: "S256",
      };
      if (prompt) parameters.prompt = prompt;
      return client.buildAuthorizationUrl(await provider(), parameters);
    },

    /**
     * Checks the provider's answer at /auth/callback against the sign-in it belongs to (state, then the code with
     * the PKCE verifier, then the ID token's nonce, issuer, audience and expiry) and returns the session to keep.
     */
    async finishSignIn(callback: URL, pending: PendingSignIn): Promise<Session> {
      const config = await provider();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(
          config,
          callback,
          { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce },
          options.resource ? { resource: options.resource } : undefined,
        );
      } catch (error) {
        // An error answer (the user pressed Cancel: access_denied) is reported only once its state has matched.
        if (error instanceof client.AuthorizationResponseError)
          throw new SignInFailed(`the identity provider answered ${describe(error)}`, error.error);
        throw new SignInFailed(`the identity provider's answer could not be accepted (${describe(error)})`);
      }
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw new SignInFailed("the identity provider sent no ID token");
      // The provider issues no refresh token (no offline_access): when the access token expires the user signs in
      // again, which the provider answers at once while its own session lasts. A refresh token sent anyway is not kept.
      const expiresIn = tokens.expiresIn();
      return {
        user: userFromClaims(claims, options.roleClaim),
        idToken: tokens.id_token,
        accessToken: tokens.access_token,
        // expires_in is only RECOMMENDED (RFC 6749): without it, the ID token's own expiry is the best guess.
        accessTokenExpiresAt: expiresIn === undefined ? claims.exp * 1000 : Date.now() + expiresIn * 1000,
      };
    },

    /** The provider's sign-out page for this user (RP-initiated logout), coming back to the portal's home page. */
    async endSessionUrl(idToken: string): Promise<URL> {
      return client.buildEndSessionUrl(await provider(), {
        id_token_hint: idToken,
        post_logout_redirect_uri: postLogoutRedirectUri.href,
      });
    },
  };
}

export type OidcClient = ReturnType<typeof createOidcClient>;

/**
 * A problem in words for the log and the page: the error's class and message, never the error object (whose
 * cause can hold the provider's response, tokens and all).
 */
function describe(error: unknown): string {
  if (error instanceof client.ResponseBodyError) return `${error.error}: ${error.error_description ?? error.message}`;
  if (error instanceof client.AuthorizationResponseError) return `${error.error}`;
  if (error instanceof Error) {
    // openid-client puts what was wrong (a state or nonce that does not match…) in the cause.
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.name}: ${error.message}${cause}`;
  }
  return "unknown error";
}
