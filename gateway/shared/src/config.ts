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

/**
 * How hard the embedded SQLite store works to make each commit survive a power cut (SQLITE_SYNCHRONOUS). FULL, the
 * default, syncs the disk on every commit, so an audit entry written before an answer left survives the machine
 * losing power; NORMAL (WAL mode) survives a crash of the process but may lose the last moments to a power cut.
 * FULL stays the default although, once the read path had been made cheaper, the disk syncs became a visible share of
 * a read (`npm run bench:ab` with SQLITE_SYNCHRONOUS=NORMAL on one side: 371 against 438 reads a second, one read
 * 8.2 against 7.2 ms): an audit entry that a power cut can undo is a read nobody can account for. PostgreSQL, the
 * production store, has its own setting (synchronous_commit).
 */
export function sqliteSynchronous(env: NodeJS.ProcessEnv = process.env): "NORMAL" | "FULL" {
  const value = (env.SQLITE_SYNCHRONOUS || "FULL").toUpperCase();
  if (value !== "NORMAL" && value !== "FULL")
    throw new Error(`SQLITE_SYNCHRONOUS must be NORMAL or FULL; got "${env.SQLITE_SYNCHRONOUS}".`);
  return value;
}
