import Provider, { errors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import type { JWK } from "jose";
import { demoUserClaims, DEMO_USERS, type DemoUser } from "@safeguarding/shared/demo-users";
import { createMemoryAdapter } from "./adapter.js";
import {
  API_EXPLORER_CLIENT_ID,
  DEV_TOOLS_CLIENT_ID,
  DEV_TOOLS_REDIRECT_URI,
  GATEWAY_RESOURCE,
  GATEWAY_SCOPE,
  PORTAL_CLIENT_ID,
} from "./constants.js";
import { errorPage, logoutPage, signedOutPage } from "./views.js";

export interface ProviderSettings {
  issuer: string;
  /** The Ed25519 private key, as a JWK with kid and alg "EdDSA". */
  signingKey: JWK;
  cookieKeys: string[];
  /** `aud` of access tokens for the gateway: the gateway's AUTH_AUDIENCE. */
  gatewayAudience: string;
  accessTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  portal: { clientSecret: string; redirectUris: string[]; postLogoutRedirectUris: string[] };
  explorer: { redirectUris: string[] };
}

/** Demo accounts are addressed by their subject, `demo:<id>`. */
export function findDemoAccount(accountId: string): DemoUser | undefined {
  return DEMO_USERS.find((user) => `demo:${user.id}` === accountId);
}

/**
 * Every client registered here is one of ours, so the consent step grants what it asks for without a page. A
 * client from anyone else would have to be shown a consent page; none can register (dynamic registration is off).
 */
export const FIRST_PARTY_CLIENTS: ReadonlySet<string> = new Set([
  PORTAL_CLIENT_ID,
  DEV_TOOLS_CLIENT_ID,
  API_EXPLORER_CLIENT_ID,
]);

export function createProvider(settings: ProviderSettings): Provider {
  const configuration: Configuration = {
    adapter: createMemoryAdapter(),
    clients: [
      {
        client_id: PORTAL_CLIENT_ID,
        client_name: "Safeguarding training portal",
        client_secret: settings.portal.clientSecret,
        token_endpoint_auth_method: "client_secret_basic",
        redirect_uris: settings.portal.redirectUris,
        post_logout_redirect_uris: settings.portal.postLogoutRedirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
      {
        client_id: DEV_TOOLS_CLIENT_ID,
        client_name: "Development tools (tests, bench, npm run token)",
        token_endpoint_auth_method: "none",
        redirect_uris: [DEV_TOOLS_REDIRECT_URI],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
      {
        client_id: API_EXPLORER_CLIENT_ID,
        client_name: "API explorer (development)",
        // A page script holds no secret; PKCE (required of every client) binds the code to the tab that asked.
        token_endpoint_auth_method: "none",
        redirect_uris: settings.explorer.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    // Authorization code only (no implicit or hybrid: tokens never travel in a URL), and the client authentication
    // methods the registered clients use.
    responseTypes: ["code"],
    clientAuthMethods: ["client_secret_basic", "none"],
    clientDefaults: {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "EdDSA",
    },
    jwks: { keys: [settings.signingKey as never] },
    // Only the algorithm of the one key: a client cannot ask for an ID token signed some way we hold no key for.
    enabledJWA: {
      idTokenSigningAlgValues: ["EdDSA"],
      userinfoSigningAlgValues: ["EdDSA"],
      authorizationSigningAlgValues: ["EdDSA"],
      introspectionSigningAlgValues: ["EdDSA"],
    },
    cookies: { keys: settings.cookieKeys },
    // No offline_access: no refresh tokens; a session lasts a shift and then the user signs in again.
    scopes: ["openid"],
    claims: {
      acr: null,
      auth_time: null,
      sid: null,
      iss: null,
      openid: ["sub"],
      profile: ["name", "preferred_username"],
      email: ["email", "email_verified"],
      safeguarding: ["sg_role", "org"],
    },
    // The portal signs in with a code and takes the gateway's token from the same exchange, so the ID token carries
    // the user's claims itself rather than leaving them to a userinfo call that token could not make.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const user = findDemoAccount(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...demoUserClaims(user) };
        },
      };
    },
    // The gateway reads who the user is from its access token (it never calls userinfo): name, role, organisation
    // and verified email go into every access token issued for it.
    async extraTokenClaims(_ctx, token) {
      if (token.kind !== "AccessToken" || token.aud !== settings.gatewayAudience || !token.accountId) return undefined;
      const user = findDemoAccount(token.accountId);
      return user ? demoUserClaims(user) : undefined;
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaContextWithOIDC, form: string) {
          ctx.type = "html";
          ctx.body = logoutPage(form, ctx.oidc.client?.clientName);
        },
        async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          ctx.type = "html";
          ctx.body = signedOutPage(ctx.oidc.client?.clientName);
        },
      },
      resourceIndicators: {
        enabled: true,
        // A client that names no resource gets the gateway in its grant; at the token endpoint it then asks for
        // `resource=urn:safeguarding:gateway` (a JWT for the gateway) or nothing (an opaque token for userinfo).
        defaultResource: () => GATEWAY_RESOURCE,
        useGrantedResource: () => false,
        getResourceServerInfo(_ctx, resourceIndicator) {
          if (resourceIndicator !== GATEWAY_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: GATEWAY_SCOPE,
            audience: settings.gatewayAudience,
            accessTokenFormat: "jwt",
            accessTokenTTL: settings.accessTokenTtlSeconds,
            jwt: { sign: { alg: "EdDSA" } },
          };
        },
      },
    },
    ttl: {
      AccessToken: settings.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: settings.accessTokenTtlSeconds,
      Interaction: 10 * 60,
      Session: settings.sessionTtlSeconds,
      Grant: settings.sessionTtlSeconds,
    },
    // Only the API explorer calls the provider from a page script (its token request), and only from the origins of
    // its own redirect URIs; the portal and the development tools call it server-side.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === API_EXPLORER_CLIENT_ID &&
      (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
    async renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = errorPage(out as unknown as Record<string, unknown>);
    },
  };
  return new Provider(settings.issuer, configuration);
}
