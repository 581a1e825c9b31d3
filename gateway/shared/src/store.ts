import { DatabaseSync, type StatementSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  sql,
  type Compilable,
  type SqliteDatabase,
  type SqliteStatement,
} from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";
import pg from "pg";
import { sqliteSynchronous } from "./config.js";
import { serviceLog } from "./log.js";

export type Dialect = "sqlite" | "postgres";

/** Which of the two stores a Kysely instance (or a transaction or connection of one) talks to. */
export function dialectOf(db: Kysely<any>): Dialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return "postgres";
  if (adapter instanceof SqliteAdapter) return "sqlite";
  throw new Error("The store must be SQLite or PostgreSQL; this Kysely instance uses another dialect.");
}

export interface ReusableQuery<Args extends unknown[], Row> {
  /** Everything that fixes the SQL text apart from the values bound to it: a table, a column, how many values. */
  shape: (...args: Args) => string;
  /** The query, written with Kysely as anywhere else. */
  build: (db: Kysely<any>, ...args: Args) => Compilable<Row>;
  /** The values the SQL binds, in its order. */
  parameters: (...args: Args) => readonly unknown[];
}

/**
 * A query run on every read (a child's rows, the audit trail's append) whose SQL is fixed by its shape. Kysely
 * builds its operation tree and compiles it again on every call, and has no prepared-query API: on the read path that
 * cost more than the SQLite reads themselves (a fifth of an agency's CPU, measured with `npm run bench`). So each
 * shape is built and compiled once per dialect and then run with fresh values; the driver's statement cache (SQLite)
 * or PostgreSQL's own plan cache does the rest. The first run of each shape checks that `parameters` gives exactly
 * the values Kysely bound, in order, so a query whose text and values disagree fails at once instead of reading
 * the wrong rows.
 */
export function reusableQuery<Args extends unknown[], Row>(spec: ReusableQuery<Args, Row>) {
  const texts = new Map<string, string>();
  return async (db: Kysely<any>, ...args: Args): Promise<Row[]> => {
    const key = `${dialectOf(db)}|${spec.shape(...args)}`;
    const parameters = spec.parameters(...args);
    let text = texts.get(key);
    if (text === undefined) {
      const compiled = spec.build(db, ...args).compile();
      const bound = compiled.parameters;
      if (bound.length !== parameters.length || bound.some((value, i) => value !== parameters[i]))
        throw new Error(
          `Reusable query "${spec.shape(...args)}": its parameters are not the values Kysely bound, in order.`,
        );
      if (texts.size >= 512) texts.clear();
      texts.set(key, (text = compiled.sql));
    }
    return (await db.executeQuery<Row>(CompiledQuery.raw(text, [...parameters]))).rows;
  };
}

export interface Store<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** Readiness: throws if the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** Used in error messages and as the migration table prefix. */
  name: string;
  /** A postgres:// URL selects PostgreSQL; otherwise the embedded SQLite file is used. */
  databaseUrl?: string;
  sqlitePath: string;
  migrations: Record<string, Migration>;
}

/** Adapts node:sqlite (built into Node 24, no native addon) to the interface Kysely's SqliteDialect drives. */
export function nodeSqliteDatabase(path: string): SqliteDatabase {
  mkdirSync(dirname(path), { recursive: true });
  const database = new DatabaseSync(path);
  database.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sqliteSynchronous()}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`,
  );
  const cache = new Map<string, { prepared: StatementSync; reader: boolean }>();
  return {
    close: () => database.close(),
    prepare(query: string): SqliteStatement {
      let statement = cache.get(query);
      if (!statement) {
        const prepared = database.prepare(query);
        statement = { prepared, reader: prepared.columns().length > 0 };
        if (cache.size > 500) cache.clear();
        cache.set(query, statement);
      }
      const { prepared, reader } = statement;
      type Param = Extract<Parameters<StatementSync["all"]>[0], string | number | bigint | null | Uint8Array>;
      const args = (parameters: ReadonlyArray<unknown>) => parameters as Param[];
      return {
        reader,
        all: (parameters) => prepared.all(...args(parameters)),
        run: (parameters) => prepared.run(...args(parameters)),
        iterate: (parameters) => prepared.iterate(...args(parameters)),
      };
    },
  };
}

export async function openStore<DB>(options: OpenStoreOptions): Promise<Store<DB>> {
  const postgres = Boolean(options.databaseUrl);
  const pool = postgres
    ? new pg.Pool({ connectionString: options.databaseUrl, max: 10, idleTimeoutMillis: 10_000 })
    : null;
  // An idle connection the server closes (a restart, a failover) is dropped from the pool and replaced on next use;
  // without a listener its error would stop the whole service.
  // Each service's store is named after the service, so the line goes to that service's log.
  pool?.on("error", (error: Error & { code?: string }) =>
    serviceLog(options.name).warn({ code: error.code }, "idle database connection closed"),
  );
  const db = pool
    ? new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
    : new Kysely<DB>({ dialect: new SqliteDialect({ database: nodeSqliteDatabase(options.sqlitePath) }) });

  const provider: MigrationProvider = { getMigrations: async () => options.migrations };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: `${options.name.replace(/\W/g, "_")}_migrations`,
    migrationLockTableName: `${options.name.replace(/\W/g, "_")}_migrations_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r: { status: string }) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`${options.name} store: migration ${failed} failed: ${String((error as Error).message ?? error)}`);
  }

  return {
    db,
    dialect: postgres ? "postgres" : "sqlite",
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
