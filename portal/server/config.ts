/**
 * The portal's settings, read once from the environment: local defaults that work with `npm start`, and a start-up
 * that stops at once in production, naming every setting that is missing or unsafe.
 */

export const DEFAULT_GATEWAY_URL = "http://127.0.0.1:4000/graphql";
/** The development identity provider `npm start` runs (gateway/identity-provider). */
export const DEFAULT_OIDC_ISSUER = "http://127.0.0.1:4400";
/** The client the development identity provider registers for the portal. */
export const DEFAULT_OIDC_CLIENT_ID = "safeguarding-portal";
/** Who the user is (openid, profile, email) and their role and organisation (safeguarding: sg_role, org). */
export const DEFAULT_OIDC_SCOPE = "openid profile email safeguarding";
/** The resource indicator (RFC 8707) the development provider issues the gateway's access token for. */
export const DEFAULT_OIDC_RESOURCE = "urn:safeguarding:gateway";
/** The ID token claim holding the user's role, as the gateway reads it from its access token. */
export const DEFAULT_OIDC_ROLE_CLAIM = "sg_role";

export interface OidcConfig {
  /** The OpenID Connect provider's issuer URL; its discovery document is read from there. */
  issuer: string;
  /**
   * OIDC_INTERNAL_URL: where the portal's own server reaches the provider when that differs from the address
   * browsers use (a container network): its calls to the issuer's origin go here instead. Browsers still go to the
   * issuer's address, and the tokens still name the issuer.
   */
  internalUrl: string | null;
  clientId: string;
  /**
   * The client secret (client_secret_basic). Unset only outside production, where the portal reads the one the
   * development identity provider created (see developmentClientSecret).
   */
  clientSecret: string | undefined;
  scope: string;
  /** Sent at the token endpoint so the access token is the gateway's; null sends none (Entra ID names it by scope). */
  resource: string | null;
  roleClaim: string;
}

export interface PortalConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; when unset, progress and sessions are kept in SQLite under the data dir. */
  databaseUrl: string | undefined;
  /** The gateway's GraphQL endpoint, which the printable action card and the alerts ask. */
  gatewayUrl: string;
  /** ALERTS_POLL_MS: how often an open "Your alerts" page's stream asks the gateway for new alerts. */
  alertsPollMs: number;
  /**
   * Where people reach the portal: the redirect URI is `<baseUrl>/auth/callback`, the post-logout address
   * `<baseUrl>/`, and an https address makes the session cookie Secure. Unset: http://127.0.0.1:<port it listens on>.
   */
  baseUrl: string | undefined;
  oidc: OidcConfig;
}

function httpUrl(name: string, raw: string, example: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an http:// or https:// URL such as ${example}; got "${raw}".`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${name} must be an http:// or https:// URL such as ${example}; got "${raw}".`);
  }
  return url.toString();
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function port(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 4321;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    throw new Error(`PORTAL_PORT must be a whole number from 0 to 65535; got "${raw}".`);
  }
  return value;
}

export const DEFAULT_ALERTS_POLL_MS = 2000;

/** At least a quarter second: every open alerts page asks the gateway this often. */
function alertsPollMs(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_ALERTS_POLL_MS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 250 || value > 600_000) {
    throw new Error(`ALERTS_POLL_MS must be a whole number of milliseconds from 250 to 600000; got "${raw}".`);
  }
  return value;
}

/** Kept as given once checked: the provider's discovery document must name exactly this issuer. */
function issuer(raw: string): string {
  httpUrl("OIDC_ISSUER", raw, DEFAULT_OIDC_ISSUER);
  return raw;
}

/** An origin with no path: the callback and post-logout addresses are built on it. */
function baseUrl(raw: string): string {
  const url = new URL(httpUrl("PORTAL_BASE_URL", raw, "https://training.example.police.uk"));
  if (url.pathname !== "/" || url.search || url.hash) {
    throw new Error(
      `PORTAL_BASE_URL must be the portal's address with no path, such as https://training.example.police.uk; got "${raw}".`,
    );
  }
  return url.origin;
}

/** Settings for running main.js directly; fails fast on a bad value, with local defaults otherwise. */
export function portalConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  const production = env.NODE_ENV === "production";
  const listenPort = port(env.PORTAL_PORT);
  // In production every one of these must be set, and the addresses must be https: the session cookie and the
  // authorization code travel over them. All the gaps are named at once, so a deployment is fixed in one go.
  if (production) {
    const missing = [
      ["OIDC_ISSUER", "your organisation's OpenID Connect issuer URL"],
      ["OIDC_CLIENT_ID", "the portal's client id at that provider"],
      ["OIDC_CLIENT_SECRET", "the portal's client secret there"],
      ["PORTAL_BASE_URL", "the https address people reach the portal at"],
    ].filter(([name]) => !env[name]);
    if (missing.length > 0) {
      throw new Error(`Set ${missing.map(([name, what]) => `${name} (${what})`).join(", ")} when NODE_ENV=production.`);
    }
    for (const name of ["OIDC_ISSUER", "PORTAL_BASE_URL"]) {
      // Plain http only on this machine's own address: a demonstration where browser and services share one host.
      const url = new URL(env[name]!);
      if (url.protocol !== "https:" && !LOOPBACK.has(url.hostname)) {
        throw new Error(`${name} must be an https:// URL when NODE_ENV=production; got "${env[name]}".`);
      }
    }
  }
  const resource = env.OIDC_RESOURCE;
  return {
    port: listenPort,
    host: env.HOST || "127.0.0.1",
    databaseUrl: env.PORTAL_DATABASE_URL || undefined,
    gatewayUrl: env.GATEWAY_URL ? httpUrl("GATEWAY_URL", env.GATEWAY_URL, DEFAULT_GATEWAY_URL) : DEFAULT_GATEWAY_URL,
    alertsPollMs: alertsPollMs(env.ALERTS_POLL_MS),
    // The provider registers http://127.0.0.1:<PORTAL_PORT>/auth/callback by default, whatever HOST the portal
    // listens on, so the default address follows the port too.
    baseUrl: env.PORTAL_BASE_URL
      ? baseUrl(env.PORTAL_BASE_URL)
      : listenPort === 0
        ? undefined
        : `http://127.0.0.1:${listenPort}`,
    oidc: {
      issuer: env.OIDC_ISSUER ? issuer(env.OIDC_ISSUER) : DEFAULT_OIDC_ISSUER,
      internalUrl: env.OIDC_INTERNAL_URL
        ? new URL(httpUrl("OIDC_INTERNAL_URL", env.OIDC_INTERNAL_URL, "")).origin
        : null,
      clientId: env.OIDC_CLIENT_ID || DEFAULT_OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET || undefined,
      scope: env.OIDC_SCOPE || DEFAULT_OIDC_SCOPE,
      // Set but empty means "send no resource parameter" (Entra ID names the gateway by a scope instead).
      resource: resource === undefined ? DEFAULT_OIDC_RESOURCE : resource || null,
      roleClaim: env.OIDC_ROLE_CLAIM || DEFAULT_OIDC_ROLE_CLAIM,
    },
  };
}

/**
 * The portal's client secret at the development identity provider, read from the data folder it shares with the
 * provider (IDP_PORTAL_CLIENT_SECRET, or `<dataDir>/keys/identity-provider.secrets.json`). Never in production: there
 * the provider is the organisation's own and OIDC_CLIENT_SECRET is required. The provider package is loaded only
 * here, so a production install can leave it (and oidc-provider) out.
 */
export async function developmentClientSecret(dataDir: string, production: boolean): Promise<string> {
  if (production) throw new Error("OIDC_CLIENT_SECRET must be set when NODE_ENV=production.");
  let provider: typeof import("@safeguarding/identity-provider");
  try {
    provider = await import("@safeguarding/identity-provider");
  } catch {
    throw new Error(
      "OIDC_CLIENT_SECRET is not set and the development identity provider is not installed to read it from: set OIDC_CLIENT_SECRET.",
    );
  }
  return provider.portalClientSecret(dataDir);
}
