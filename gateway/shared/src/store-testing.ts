import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Store } from "./store.js";

/** Where a test store lives: always a temp folder (an SQLite file, keys), and a PostgreSQL URL on that backend. */
export interface TestStoreLocation {
  dataDir: string;
  databaseUrl?: string;
}

export interface TestStore<DB> {
  store: Store<DB>;
  /** For a service started on the same store. */
  location: TestStoreLocation;
  cleanup(): Promise<void>;
}

export interface TestBackend<DB> {
  name: "sqlite" | "postgres";
  open(): Promise<TestStore<DB>>;
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * The real stores tests run against (test support, not used by any service): an SQLite file in a temp folder always,
 * and a fresh PostgreSQL database, created and dropped per test file, when TEST_DATABASE_URL is set, as CI sets it.
 * `open` opens the store at the location given (its migrations applied); `name` prefixes the folder and database.
 */
export function storeTestBackends<DB>(
  name: string,
  open: (location: TestStoreLocation) => Promise<Store<DB>>,
): TestBackend<DB>[] {
  const prefix = name.replace(/\W/g, "_");
  const backend = (kind: TestBackend<DB>["name"], adminUrl?: string): TestBackend<DB> => ({
    name: kind,
    async open() {
      const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-test-`));
      let database: string | undefined;
      let databaseUrl: string | undefined;
      if (adminUrl) {
        database = `${prefix}_test_${randomBytes(6).toString("hex")}`;
        await admin(adminUrl, `CREATE DATABASE ${database}`);
        const url = new URL(adminUrl);
        url.pathname = `/${database}`;
        databaseUrl = url.toString();
      }
      const location = { dataDir, ...(databaseUrl ? { databaseUrl } : {}) };
      const store = await open(location);
      return {
        store,
        location,
        async cleanup() {
          await store.close();
          if (adminUrl && database) await admin(adminUrl, `DROP DATABASE ${database} WITH (FORCE)`);
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  });
  const adminUrl = process.env.TEST_DATABASE_URL;
  return adminUrl ? [backend("sqlite"), backend("postgres", adminUrl)] : [backend("sqlite")];
}
