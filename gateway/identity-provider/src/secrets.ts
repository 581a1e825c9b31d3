import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Secrets the development identity provider keeps under <data dir>/keys, created on first start, never committed. */
export interface ProviderSecrets {
  /** Sign the provider's cookies; the first signs, all verify (add a new one at the front to rotate). */
  cookieKeys: string[];
  /** The training portal's client secret (IDP_PORTAL_CLIENT_SECRET overrides it). */
  portalClientSecret: string;
}

const FILE = "identity-provider.secrets.json";

/**
 * Several processes may start at once (`npm start` runs the provider while `npm run token` may start its own), so
 * the file is written under a temporary name and hard-linked into place; whoever loses the race reads the winner's.
 */
export function loadOrCreateSecrets(dataDir: string): ProviderSecrets {
  const dir = join(dataDir, "keys");
  const path = join(dir, FILE);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fresh: ProviderSecrets = {
      cookieKeys: [randomBytes(32).toString("base64url")],
      portalClientSecret: randomBytes(32).toString("base64url"),
    };
    const temp = join(dir, `.${FILE}.${process.pid}.${randomUUID()}`);
    writeFileSync(temp, JSON.stringify(fresh, null, 2), { mode: 0o600 });
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  let parsed: Partial<ProviderSecrets>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<ProviderSecrets>;
  } catch (error) {
    throw new Error(`Cannot read ${path}: ${(error as Error).message}. Delete it to create new secrets.`, {
      cause: error,
    });
  }
  if (
    !Array.isArray(parsed.cookieKeys) ||
    parsed.cookieKeys.length === 0 ||
    typeof parsed.portalClientSecret !== "string"
  ) {
    throw new Error(`${path} lacks cookieKeys or portalClientSecret. Delete it to create new secrets.`);
  }
  return { cookieKeys: parsed.cookieKeys, portalClientSecret: parsed.portalClientSecret };
}

/**
 * The portal's client secret for local development: IDP_PORTAL_CLIENT_SECRET, or the one the provider created
 * under the shared data dir. A deployment registers the portal with its real provider and sets the secret itself.
 */
export function portalClientSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.IDP_PORTAL_CLIENT_SECRET || loadOrCreateSecrets(dataDir).portalClientSecret;
}
