import { defaultDataDir, intFromEnv } from "@safeguarding/shared/config";
import { GATEWAY_AUDIENCE } from "@safeguarding/shared/demo-users";
import { apiExplorerRedirectUris, DEFAULT_IDP_PORT } from "./constants.js";
import type { IdentityProviderOptions } from "./server.js";

const list = (value: string | undefined) =>
  value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The provider's settings from the environment, each with a local default (README, Configuration). */
export function identityProviderOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): IdentityProviderOptions {
  const portal = `http://127.0.0.1:${env.PORTAL_PORT || 4321}`;
  return {
    port: intFromEnv("IDP_PORT", DEFAULT_IDP_PORT),
    host: env.HOST || "127.0.0.1",
    dataDir: defaultDataDir(),
    issuer: env.IDP_ISSUER || undefined,
    // The same setting the gateway checks `aud` against, so the two cannot disagree when run together.
    gatewayAudience: env.AUTH_AUDIENCE || GATEWAY_AUDIENCE,
    accessTokenTtlSeconds: intFromEnv("IDP_ACCESS_TOKEN_TTL_SECONDS", 3600) || 3600,
    portal: {
      clientSecret: env.IDP_PORTAL_CLIENT_SECRET || undefined,
      redirectUris: list(env.IDP_PORTAL_REDIRECT_URIS) ?? [`${portal}/auth/callback`],
      postLogoutRedirectUris: list(env.IDP_PORTAL_POST_LOGOUT_REDIRECT_URIS) ?? [`${portal}/`],
    },
    explorer: {
      redirectUris: list(env.IDP_EXPLORER_REDIRECT_URIS) ?? apiExplorerRedirectUris(env.GATEWAY_PORT || 4000),
    },
    production: env.NODE_ENV === "production",
  };
}
