import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Where embedded SQLite files live: DATA_DIR, or `data/` at the repository root. */
export function defaultDataDir(): string {
  return process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : resolve(repoRoot, "data");
}

export const isProduction = (): boolean => process.env.NODE_ENV === "production";

export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative whole number; got "${raw}".`);
  }
  return value;
}

/** In production a missing required setting stops start-up; locally a safe default is used. */
export function requiredInProduction(name: string, localDefault: string | undefined): string | undefined {
  const value = process.env[name];
  if (value) return value;
  if (isProduction()) throw new Error(`${name} must be set when NODE_ENV=production.`);
  return localDefault;
}
