import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import type { Migration } from "kysely/migration";
import pg from "pg";
import { dialectOf, nodeSqliteDatabase, reusableQuery } from "./store.js";

/**
 * The access log the Data Protection Act 2018 s62 asks for: who consulted, disclosed or altered a child's
 * record, when and why. Rows are hash-chained so that altering, removing or reordering any of them is detectable.
 */
export interface AuditLogTable {
  /** 1, 2, 3… with no gaps. */
  seq: number;
  /** ISO 8601 instant. */
  at: string;
  request_id: string;
  service: string;
  action: string;
  operation: string;
  user_id: string;
  user_name: string;
  role: string;
  organisation: string;
  purpose_code: string | null;
  purpose_reference: string | null;
  agreement: string | null;
  /** JSON array of NHS numbers, as given. */
  child_ids: string;
  /** JSON array of field paths. */
  fields_returned: string;
  /** JSON array of field paths. */
  fields_denied: string;
  outcome: string;
  detail: string | null;
  /** Canonical JSON of the record before a write; null when there was none. */
  before_json: string | null;
  after_json: string | null;
  /** The previous entry's hash; 64 zeros for entry 1. */
  prev_hash: string;
  /** SHA-256 (hex) of the canonical JSON of every other column. */
  hash: string;
}

/** Which children an entry names, so a child's access history is an index lookup. Not hashed: derived from child_ids. */
export interface AuditChildTable {
  seq: number;
  nhs_number: string;
}

export interface AuditTables {
  audit_log: AuditLogTable;
  audit_children: AuditChildTable;
  audit_head: { id: number; seq: number; hash: string };
}

const GENESIS_HASH = "0".repeat(64);
/** Any fixed key works, as long as every process appending to one PostgreSQL database uses the same one. */
const APPEND_LOCK_KEY = 5_206_417_386_204_151;
const VERIFY_BATCH = 1000;
const DEFAULT_QUERY_LIMIT = 100;
const MAX_QUERY_LIMIT = 1000;

export const auditMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("audit_log")
      .addColumn("seq", "integer", (c) => c.primaryKey())
      .addColumn("at", "varchar(32)", (c) => c.notNull())
      .addColumn("request_id", "text", (c) => c.notNull())
      .addColumn("service", "text", (c) => c.notNull())
      .addColumn("action", "varchar(16)", (c) => c.notNull())
      .addColumn("operation", "text", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("user_name", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("organisation", "text", (c) => c.notNull())
      .addColumn("purpose_code", "text")
      .addColumn("purpose_reference", "text")
      .addColumn("agreement", "text")
      .addColumn("child_ids", "text", (c) => c.notNull())
      .addColumn("fields_returned", "text", (c) => c.notNull())
      .addColumn("fields_denied", "text", (c) => c.notNull())
      .addColumn("outcome", "varchar(16)", (c) => c.notNull())
      .addColumn("detail", "text")
      .addColumn("before_json", "text")
      .addColumn("after_json", "text")
      .addColumn("prev_hash", "varchar(64)", (c) => c.notNull())
      .addColumn("hash", "varchar(64)", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();
    await db.schema
      .createTable("audit_children")
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("nhs_number", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("audit_children_child")
      .on("audit_children")
      .columns(["nhs_number", "seq"])
      .unique()
      .execute();
    await db.schema
      .createTable("audit_head")
      .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("hash", "varchar(64)", (c) => c.notNull())
      .execute();
    await db.insertInto("audit_head").values({ id: 1, seq: 0, hash: GENESIS_HASH }).execute();
  },
};

export type AuditAction = "READ" | "SEARCH" | "WRITE";
export type AuditOutcome = "OK" | "PARTIAL" | "DENIED" | "REFUSED" | "ERROR";

const ACTIONS: readonly string[] = ["READ", "SEARCH", "WRITE"] satisfies AuditAction[];
const OUTCOMES: readonly string[] = ["OK", "PARTIAL", "DENIED", "REFUSED", "ERROR"] satisfies AuditOutcome[];

export interface AuditEntryInput {
  requestId: string;
  service: string;
  action: AuditAction;
  operation: string;
  userId: string;
  userName: string;
  role: string;
  organisation: string;
  purposeCode: string | null;
  purposeReference: string | null;
  agreement: string | null;
  childIds: string[];
  fieldsReturned: string[];
  fieldsDenied: string[];
  outcome: AuditOutcome;
  detail?: string | null;
  before?: unknown;
  after?: unknown;
  /** When the access happened; defaults to the moment the entry is appended. */
  at?: Date;
}

export interface AuditRecord extends Omit<AuditEntryInput, "at" | "before" | "after"> {
  seq: number;
  at: string;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth, so the same value always serialises to the same text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

type UnsignedRow = Omit<AuditLogTable, "hash">;

const HASHED_COLUMNS = [
  "seq",
  "at",
  "request_id",
  "service",
  "action",
  "operation",
  "user_id",
  "user_name",
  "role",
  "organisation",
  "purpose_code",
  "purpose_reference",
  "agreement",
  "child_ids",
  "fields_returned",
  "fields_denied",
  "outcome",
  "detail",
  "before_json",
  "after_json",
  "prev_hash",
] as const satisfies readonly (keyof UnsignedRow)[];

/** The hashed columns in the order canonicalJson sorts keys. */
const HASHED_COLUMNS_SORTED = [...HASHED_COLUMNS].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The entry's hash: SHA-256 of the canonical JSON of its hashed columns. Every column holds a string, a number or
 * null, so JSON.stringify of an object built in sorted key order is exactly canonicalJson of it, without a replacer
 * call for every value (a tenth of an append's CPU); a value that is not (a driver's Date, say) takes canonicalJson.
 */
function hashOf(row: UnsignedRow): string {
  const hashed: Record<string, unknown> = {};
  let primitive = true;
  for (const column of HASHED_COLUMNS_SORTED) {
    const value = row[column];
    if (value !== null && typeof value === "object") primitive = false;
    hashed[column] = value;
  }
  return createHash("sha256")
    .update(primitive ? JSON.stringify(hashed) : canonicalJson(hashed))
    .digest("hex");
}

/** The columns of an entry as stored, in the order the append binds them. */
const STORED_COLUMNS = [...HASHED_COLUMNS, "hash"] as const satisfies readonly (keyof AuditLogTable)[];

// The append's statements, built once per shape (store.ts says why): the head, a chunk of entries, their children.
const readHead = reusableQuery({
  shape: () => "audit head",
  build: (db) => db.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1),
  parameters: () => [1],
});
const insertEntries = reusableQuery({
  shape: (rows: readonly AuditLogTable[]) => `audit entries ${rows.length}`,
  build: (db, rows) =>
    db.insertInto("audit_log").values(rows.map((row) => Object.fromEntries(STORED_COLUMNS.map((c) => [c, row[c]])))),
  parameters: (rows) => rows.flatMap((row) => STORED_COLUMNS.map((c) => row[c])),
});
const insertChildren = reusableQuery({
  shape: (children: readonly { seq: number; nhs_number: string }[]) => `audit children ${children.length}`,
  build: (db, children) =>
    db.insertInto("audit_children").values(children.map(({ seq, nhs_number }) => ({ seq, nhs_number }))),
  parameters: (children) => children.flatMap(({ seq, nhs_number }) => [seq, nhs_number]),
});
const moveHead = reusableQuery({
  shape: (_seq: number, _hash: string) => "audit head moved",
  build: (db, seq, hash) => db.updateTable("audit_head").set({ seq, hash }).where("id", "=", 1),
  parameters: (seq, hash) => [seq, hash, 1],
});

function stringList(entry: AuditEntryInput, name: "childIds" | "fieldsReturned" | "fieldsDenied"): string[] {
  const list: unknown = entry[name];
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    throw new TypeError(`Audit entry ${name} must be a list of strings.`);
  }
  return list as string[];
}

/** Every column but the chain ones, checked here because a bad entry must fail before the data change commits. */
function entryColumns(entry: AuditEntryInput): Omit<UnsignedRow, "seq" | "at" | "prev_hash"> {
  if (!ACTIONS.includes(entry.action)) {
    throw new TypeError(`Audit entry action must be one of ${ACTIONS.join(", ")}; got "${String(entry.action)}".`);
  }
  if (!OUTCOMES.includes(entry.outcome)) {
    throw new TypeError(`Audit entry outcome must be one of ${OUTCOMES.join(", ")}; got "${String(entry.outcome)}".`);
  }
  if (entry.at !== undefined && !(entry.at instanceof Date && Number.isFinite(entry.at.getTime()))) {
    throw new TypeError("Audit entry at must be a valid Date, or left out to mean now.");
  }
  return {
    request_id: entry.requestId,
    service: entry.service,
    action: entry.action,
    operation: entry.operation,
    user_id: entry.userId,
    user_name: entry.userName,
    role: entry.role,
    organisation: entry.organisation,
    purpose_code: entry.purposeCode ?? null,
    purpose_reference: entry.purposeReference ?? null,
    agreement: entry.agreement ?? null,
    // A list of strings has no keys to sort: its canonical JSON is its JSON.
    child_ids: JSON.stringify(stringList(entry, "childIds")),
    fields_returned: JSON.stringify(stringList(entry, "fieldsReturned")),
    fields_denied: JSON.stringify(stringList(entry, "fieldsDenied")),
    outcome: entry.outcome,
    detail: entry.detail ?? null,
    before_json: entry.before == null ? null : (canonicalJson(entry.before) ?? null),
    after_json: entry.after == null ? null : (canonicalJson(entry.after) ?? null),
  };
}

function toRecord(row: AuditLogTable): AuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    requestId: row.request_id,
    service: row.service,
    action: row.action as AuditAction,
    operation: row.operation,
    userId: row.user_id,
    userName: row.user_name,
    role: row.role,
    organisation: row.organisation,
    purposeCode: row.purpose_code,
    purposeReference: row.purpose_reference,
    agreement: row.agreement,
    childIds: JSON.parse(row.child_ids) as string[],
    fieldsReturned: JSON.parse(row.fields_returned) as string[],
    fieldsDenied: JSON.parse(row.fields_denied) as string[],
    outcome: row.outcome as AuditOutcome,
    detail: row.detail,
    before: row.before_json === null ? null : (JSON.parse(row.before_json) as unknown),
    after: row.after_json === null ? null : (JSON.parse(row.after_json) as unknown),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Appends entries, in order, at the end of the chain: one lock, one head read, one insert per table and one commit
 * (on SQLite one fsync) for the lot. Given a transaction, the entries are written in it, so the data change they
 * record and the entries commit or roll back together; otherwise it opens its own.
 */
async function appendEntries(
  db: Kysely<any>,
  batch: { columns: ReturnType<typeof entryColumns>; at?: Date }[],
): Promise<AuditRecord[]> {
  const dialect = dialectOf(db);
  const audit = db as Kysely<AuditTables>;
  const appendAll = async (trx: Kysely<AuditTables>) => {
    // On PostgreSQL the advisory lock serialises appenders; on SQLite the write lock does (see below).
    if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${sql.lit(APPEND_LOCK_KEY)})`.execute(trx);
    const [head] = (await readHead(trx)) as { seq: number; hash: string }[];
    let previous = head ?? { seq: 0, hash: GENESIS_HASH };
    const rows: AuditLogTable[] = [];
    // Stamped under the lock, so entries that take the default time are in time order as well as seq order.
    const now = new Date();
    for (const { columns, at } of batch) {
      const unsigned: UnsignedRow = {
        seq: previous.seq + 1,
        at: (at ?? now).toISOString(),
        ...columns,
        prev_hash: previous.hash,
      };
      const row = { ...unsigned, hash: hashOf(unsigned) };
      rows.push(row);
      previous = row;
    }
    // Chunks keep every statement well under SQLite's limit on bound parameters.
    for (let i = 0; i < rows.length; i += 100) await insertEntries(trx, rows.slice(i, i + 100));
    const children = rows.flatMap((row) =>
      [...new Set(JSON.parse(row.child_ids) as string[])].map((nhs_number) => ({ seq: row.seq, nhs_number })),
    );
    for (let i = 0; i < children.length; i += 400) await insertChildren(trx, children.slice(i, i + 400));
    if (head) await moveHead(trx, previous.seq, previous.hash);
    else await trx.insertInto("audit_head").values({ id: 1, seq: previous.seq, hash: previous.hash }).execute();
    return rows.map(toRecord);
  };
  // In a caller's transaction on SQLite the single connection is already held.
  if (audit.isTransaction) return appendAll(audit);
  if (dialect === "postgres") return audit.transaction().execute(appendAll);
  // Kysely's SQLite transactions are deferred ("begin"): another process writing the same file could commit
  // between our read of the head and our write. BEGIN IMMEDIATE takes the write lock before the head is read.
  return audit.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const records = await appendAll(connection);
      await sql`commit`.execute(connection);
      return records;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/** Adds one entry to the end of the chain (in the caller's transaction, when given one). */
export async function appendAudit(db: Kysely<any>, entry: AuditEntryInput): Promise<AuditRecord> {
  const [record] = await appendEntries(db, [{ columns: entryColumns(entry), at: entry.at }]);
  return record;
}

export interface AuditWriter {
  /** Resolves once the entry is committed; rejects if it could not be (the caller must then withhold the data). */
  append(entry: AuditEntryInput): Promise<AuditRecord>;
}

/**
 * Group commit for the entries of reads: an entry that arrives while a commit is under way waits for the next one,
 * which carries every entry queued meanwhile. Under load one commit (on SQLite, one fsync that blocks the process)
 * serves many requests instead of one each; no entry is acknowledged before it is durable, and if a commit fails
 * every request in it is told. Writes do not use this: they append inside their own transaction.
 */
export function createAuditWriter(db: Kysely<any>, options: { maxBatch?: number } = {}): AuditWriter {
  const maxBatch = options.maxBatch ?? 256;
  type Pending = {
    columns: ReturnType<typeof entryColumns>;
    at?: Date;
    resolve: (record: AuditRecord) => void;
    reject: (error: unknown) => void;
  };
  let queue: Pending[] = [];
  let flushing = false;
  async function flush() {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const records = await appendEntries(db, batch);
        batch.forEach((pending, i) => pending.resolve(records[i]));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    flushing = false;
  }
  return {
    append(entry) {
      let columns: ReturnType<typeof entryColumns>;
      try {
        columns = entryColumns(entry);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<AuditRecord>((resolve, reject) => {
        queue.push({ columns, at: entry.at, resolve, reject });
        // Start the commit after this turn of the event loop, so the requests already waiting are in it too.
        if (!flushing) {
          flushing = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}

export interface AuditVerification {
  ok: boolean;
  /** Entries checked: all of them when ok, up to the broken one otherwise. */
  entries: number;
  firstBroken: { seq: number; reason: string } | null;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/**
 * Recomputes every entry's hash and link, in seq order, a batch at a time, and compares the end of the chain with
 * the head. Safe to run while entries are being appended: the head is read before the walk.
 */
export async function verifyAuditChain(db: Kysely<any>): Promise<AuditVerification> {
  const audit = db as Kysely<AuditTables>;
  const readHead = () => audit.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1).executeTakeFirst();
  const head = await readHead();
  let entries = 0;
  let previous: { seq: number; hash: string } | null = null;
  const broken = (seq: number, reason: string): AuditVerification => ({
    ok: false,
    entries,
    firstBroken: { seq, reason },
  });

  for (;;) {
    let batch = audit.selectFrom("audit_log").selectAll().orderBy("seq").limit(VERIFY_BATCH);
    if (previous) batch = batch.where("seq", ">", previous.seq);
    const rows = await batch.execute();
    if (rows.length === 0) break;
    const children = new Map<number, string[]>();
    const childRows = await audit
      .selectFrom("audit_children")
      .select(["seq", "nhs_number"])
      .where("seq", ">=", rows[0].seq)
      .where("seq", "<=", rows[rows.length - 1].seq)
      .execute();
    for (const child of childRows) children.set(child.seq, [...(children.get(child.seq) ?? []), child.nhs_number]);

    for (const row of rows) {
      entries += 1;
      const { seq } = row;
      if (previous === null && seq > 1) {
        return broken(seq, `the log starts at entry ${seq}, not entry 1: earlier entries were removed`);
      }
      if (previous === null && seq < 1) {
        return broken(seq, `the log holds an entry numbered ${seq}: entries were renumbered`);
      }
      if (previous !== null && seq !== previous.seq + 1) {
        return broken(seq, `entry ${seq} does not follow entry ${previous.seq}: an entry was removed or reordered`);
      }
      const linked = row.prev_hash === (previous?.hash ?? GENESIS_HASH);
      if (hashOf(row) !== row.hash) {
        return broken(
          seq,
          linked
            ? `entry ${seq} was altered: its stored hash does not match its contents`
            : `entry ${seq} was altered or moved: its stored hash does not match its contents and it does not link to entry ${seq - 1}`,
        );
      }
      if (!linked) {
        return broken(
          seq,
          seq === 1
            ? "entry 1 does not start the chain: it was replaced"
            : `entry ${seq} does not follow entry ${seq - 1}: entry ${seq - 1} was rewritten, or entries were removed or replaced`,
        );
      }
      // The hash matched, so child_ids is what appendAudit wrote.
      if (!sameSet(JSON.parse(row.child_ids) as string[], children.get(seq) ?? [])) {
        return broken(
          seq,
          `entry ${seq}'s child index does not match the children it names: a search by child would give the wrong answer`,
        );
      }
      if (head && seq === head.seq && row.hash !== head.hash) {
        return broken(seq, `entry ${seq} does not match the head: the head or the entry was rewritten`);
      }
      previous = { seq, hash: row.hash };
    }
  }

  const last = previous?.seq ?? 0;
  const recorded = head?.seq ?? 0;
  if (last < recorded) {
    return broken(
      last + 1,
      last === 0
        ? `the log is empty but its head records entry ${recorded}: every entry was removed`
        : `the log ends at entry ${last} but its head records entry ${recorded}: entries were removed from the end`,
    );
  }
  // Entries appended during the walk move the head on, so what lies beyond the walk is judged against the head
  // as it is now, read after the child index: an index row committed before that read has its head update too.
  const strayChild = (where: "<" | ">", bound: number) =>
    audit
      .selectFrom("audit_children")
      .select("seq")
      .where("seq", where, bound)
      .orderBy("seq", where === ">" ? "desc" : "asc")
      .limit(1)
      .executeTakeFirst();
  const [beyond, before] = [await strayChild(">", last), await strayChild("<", 1)];
  const now = await readHead();
  if (!now && last > 0) return broken(last, `the log has ${last} entries but no head: the head was removed`);
  const current = now?.seq ?? 0;
  if (last > current) {
    return broken(
      current + 1,
      `the log ends at entry ${last} but its head records entry ${current}: entries were added without moving the head`,
    );
  }
  const stray = before ?? (beyond && beyond.seq > current ? beyond : undefined);
  if (stray) return broken(stray.seq, `the child index names entry ${stray.seq}, which is not in the log`);
  return { ok: true, entries, firstBroken: null };
}

export interface AuditQuery {
  /** Only entries that name this child (NHS number). */
  childId?: string;
  /** Entries at or after this instant. */
  from?: Date;
  /** Entries at or before this instant. */
  to?: Date;
  /** Default 100; at most 1000. */
  limit?: number;
  /** Only these actions; left out or empty means every action. */
  actions?: AuditAction[];
}

/** Entries newest first (by seq, the order they were appended). */
export async function queryAuditLog(db: Kysely<any>, query: AuditQuery): Promise<AuditRecord[]> {
  const limit = query.limit ?? DEFAULT_QUERY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Audit query limit must be a whole number from 1 to ${MAX_QUERY_LIMIT}; got ${limit}.`);
  }
  for (const [name, instant] of [
    ["from", query.from],
    ["to", query.to],
  ] as const) {
    if (instant !== undefined && !(instant instanceof Date && Number.isFinite(instant.getTime()))) {
      throw new TypeError(`Audit query ${name} must be a valid Date.`);
    }
  }
  let select = (db as Kysely<AuditTables>).selectFrom("audit_log").selectAll("audit_log");
  if (query.childId !== undefined) {
    select = select
      .innerJoin("audit_children", "audit_children.seq", "audit_log.seq")
      .where("audit_children.nhs_number", "=", query.childId);
  }
  if (query.from) select = select.where("audit_log.at", ">=", query.from.toISOString());
  if (query.to) select = select.where("audit_log.at", "<=", query.to.toISOString());
  if (query.actions && query.actions.length > 0) select = select.where("audit_log.action", "in", query.actions);
  const rows = await select.orderBy("audit_log.seq", "desc").limit(Math.min(limit, MAX_QUERY_LIMIT)).execute();
  return rows.map(toRecord);
}

export interface AuditReaderOptions {
  /** A postgres:// URL selects PostgreSQL; otherwise the SQLite file at sqlitePath. */
  databaseUrl?: string;
  sqlitePath: string;
}

export interface AuditReader {
  readonly db: Kysely<AuditTables>;
  close(): Promise<void>;
}

/**
 * Opens an existing store to read its audit log, for tools such as `npm run audit:verify`: no migrations run,
 * nothing is created, and the connection refuses writes. Null when the store does not exist yet.
 */
export async function openAuditReader(options: AuditReaderOptions): Promise<AuditReader | null> {
  let db: Kysely<AuditTables>;
  if (options.databaseUrl) {
    db = new Kysely<AuditTables>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({
          connectionString: options.databaseUrl,
          max: 1,
          options: "-c default_transaction_read_only=on",
        }),
      }),
    });
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      await db.destroy();
      // 3D000: the database does not exist.
      if ((error as { code?: string }).code === "3D000") return null;
      throw error;
    }
  } else {
    if (!existsSync(options.sqlitePath)) return null;
    db = new Kysely<AuditTables>({ dialect: new SqliteDialect({ database: nodeSqliteDatabase(options.sqlitePath) }) });
    await sql`pragma query_only = on`.execute(db);
  }
  return {
    db,
    async close() {
      await db.destroy();
    },
  };
}
