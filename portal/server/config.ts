import { requiredInProduction } from "@safeguarding/shared/config";

export interface PortalConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; when unset, progress is kept in SQLite under the data dir. */
  databaseUrl: string | undefined;
  /** Signs the demo sign-in cookie; required in production so sessions survive restarts. */
  sessionSecret: string | undefined;
  /** The gateway's GraphQL endpoint, which the printable action card asks. */
  gatewayUrl: string;
}

export const DEFAULT_GATEWAY_URL = "http://127.0.0.1:4000/graphql";

function gatewayUrl(raw: string | undefined): string {
  if (raw === undefined || raw === "") return DEFAULT_GATEWAY_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`GATEWAY_URL must be an http:// or https:// URL such as ${DEFAULT_GATEWAY_URL}; got "${raw}".`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`GATEWAY_URL must be an http:// or https:// URL such as ${DEFAULT_GATEWAY_URL}; got "${raw}".`);
  }
  return url.toString();
}

function port(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 4321;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    throw new Error(`PORTAL_PORT must be a whole number from 0 to 65535; got "${raw}".`);
  }
  return value;
}

/** Settings for running main.js directly; fails fast on a bad value, with local defaults otherwise. */
export function portalConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  return {
    port: port(env.PORTAL_PORT),
    host: env.HOST || "127.0.0.1",
    databaseUrl: env.PORTAL_DATABASE_URL || undefined,
    sessionSecret: env.PORTAL_SESSION_SECRET || requiredInProduction("PORTAL_SESSION_SECRET", undefined),
    gatewayUrl: gatewayUrl(env.GATEWAY_URL),
  };
}
