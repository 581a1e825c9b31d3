import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  appendAudit,
  createAuditWriter,
  auditMigration,
  queryAuditLog,
  verifyAuditChain,
  type AuditEntryInput,
  type AuditLogTable,
  type AuditTables,
} from "./audit.js";
import { openStore } from "./store.js";
import { storeTestBackends, type TestStore } from "./store-testing.js";

const JAYDEN = "9990000026";
const TOMASZ = "9990000042";
const MAISIE = "9990000034";
const GENESIS = "0".repeat(64);

const migrations = { "0001_audit": auditMigration };
const backends = storeTestBackends<AuditTables>("audit", ({ dataDir, databaseUrl }) =>
  openStore<AuditTables>({ name: "audit", databaseUrl, sqlitePath: join(dataDir, "audit.db"), migrations }),
);

function entry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    requestId: `req-${randomBytes(4).toString("hex")}`,
    service: "police",
    action: "READ",
    operation: "ChildRecord",
    userId: "u-1042",
    userName: "PC Priya Shah",
    role: "POLICE_OFFICER",
    organisation: "Northshire Police",
    purposeCode: "MISSING_EPISODE",
    purposeReference: "ME-0026-01",
    agreement: null,
    childIds: [JAYDEN],
    fieldsReturned: ["police.missingEpisodes.status", "police.missingEpisodes.reportedAt"],
    fieldsDenied: ["health.diagnoses"],
    outcome: "PARTIAL",
    ...overrides,
  };
}

/** What an intruder with the hashing scheme could do: rewrite a row and give it a hash that matches. */
function rehash(row: AuditLogTable): string {
  const { hash: _hash, ...unsigned } = row;
  const sorted = Object.fromEntries(Object.entries(unsigned).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

describe.each(backends)("audit log on $name", (backend) => {
  let opened: TestStore<AuditTables>;
  let db: Kysely<AuditTables>;

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
  });
  afterAll(async () => {
    await opened?.cleanup();
  });
  beforeEach(async () => {
    await db.deleteFrom("audit_children").execute();
    await db.deleteFrom("audit_log").execute();
    await db.updateTable("audit_head").set({ seq: 0, hash: GENESIS }).execute();
  });

  const appendSome = async (count: number) => {
    const records = [];
    for (let i = 0; i < count; i++) {
      records.push(await appendAudit(db, entry({ childIds: i % 2 === 0 ? [JAYDEN] : [JAYDEN, TOMASZ] })));
    }
    return records;
  };
  const brokenAt = async () => (await verifyAuditChain(db)).firstBroken;

  it("verifies an empty log", async () => {
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 0, firstBroken: null });
  });

  it("chains entries 1, 2, 3… each to the one before, and verifies them", async () => {
    const before = { status: "MISSING", riskLevel: "HIGH", nested: { b: 1, a: [2, 1] } };
    const first = await appendAudit(
      db,
      entry({ action: "WRITE", operation: "recordFound", before, after: { status: "FOUND" }, detail: "found at home" }),
    );
    const rest = await appendSome(4);
    const records = [first, ...rest];

    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(first.prevHash).toBe(GENESIS);
    for (let i = 1; i < records.length; i++) expect(records[i].prevHash).toBe(records[i - 1].hash);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first).toMatchObject({ before, after: { status: "FOUND" }, detail: "found at home", childIds: [JAYDEN] });
    expect(new Date(first.at).toISOString()).toBe(first.at);
    expect(await db.selectFrom("audit_head").selectAll().execute()).toEqual([{ id: 1, seq: 5, hash: records[4].hash }]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 5, firstBroken: null });
    // The hash is SHA-256 of the columns' canonical JSON (keys sorted, computed here independently): entries written
    // by any earlier version still verify.
    const rows = await db.selectFrom("audit_log").selectAll().orderBy("seq").execute();
    for (const row of rows) expect(row.hash).toBe(rehash(row));
  });

  it.each([
    ["user_name", "Someone Else"],
    ["outcome", "OK"],
    ["fields_returned", '["police.missingEpisodes.status"]'],
    ["at", "2020-01-01T00:00:00.000Z"],
    ["prev_hash", "f".repeat(64)],
  ] as const)("finds an entry whose %s was altered, at that entry", async (column, value) => {
    await appendSome(5);
    await db
      .updateTable("audit_log")
      .set({ [column]: value })
      .where("seq", "=", 3)
      .execute();
    const verification = await verifyAuditChain(db);
    expect(verification.ok).toBe(false);
    expect(verification.firstBroken?.seq).toBe(3);
    expect(verification.firstBroken?.reason).toMatch(/^entry 3 was altered/);
  });

  it("names the altered entry in a plain sentence", async () => {
    await appendSome(3);
    await db.updateTable("audit_log").set({ user_name: "Someone Else" }).where("seq", "=", 2).execute();
    expect(await brokenAt()).toEqual({
      seq: 2,
      reason: "entry 2 was altered: its stored hash does not match its contents",
    });
  });

  it("finds a rewritten entry given a matching hash, at the link from the next entry", async () => {
    await appendSome(5);
    const row = await db.selectFrom("audit_log").selectAll().where("seq", "=", 3).executeTakeFirstOrThrow();
    const forged = { ...row, purpose_code: "CURIOSITY" };
    await db
      .updateTable("audit_log")
      .set({ purpose_code: forged.purpose_code, hash: rehash(forged) })
      .where("seq", "=", 3)
      .execute();
    expect(await brokenAt()).toEqual({
      seq: 4,
      reason: "entry 4 does not follow entry 3: entry 3 was rewritten, or entries were removed or replaced",
    });
  });

  it("finds an entry removed from the middle", async () => {
    await appendSome(5);
    await db.deleteFrom("audit_children").where("seq", "=", 3).execute();
    await db.deleteFrom("audit_log").where("seq", "=", 3).execute();
    expect(await brokenAt()).toEqual({
      seq: 4,
      reason: "entry 4 does not follow entry 2: an entry was removed or reordered",
    });
  });

  it("finds two entries whose seq were swapped", async () => {
    await appendSome(5);
    await db.updateTable("audit_log").set({ seq: -2 }).where("seq", "=", 2).execute();
    await db.updateTable("audit_log").set({ seq: 2 }).where("seq", "=", 3).execute();
    await db.updateTable("audit_log").set({ seq: 3 }).where("seq", "=", -2).execute();
    const broken = await brokenAt();
    expect(broken?.seq).toBe(2);
    expect(broken?.reason).toMatch(/^entry 2 was altered or moved: .* does not link to entry 1$/);
  });

  it("finds entries removed from the end by comparing with the head", async () => {
    await appendSome(5);
    await db.deleteFrom("audit_children").where("seq", "=", 5).execute();
    await db.deleteFrom("audit_log").where("seq", "=", 5).execute();
    expect(await verifyAuditChain(db)).toEqual({
      ok: false,
      entries: 4,
      firstBroken: {
        seq: 5,
        reason: "the log ends at entry 4 but its head records entry 5: entries were removed from the end",
      },
    });
  });

  it("finds a child taken out of the index used to search by child", async () => {
    await appendSome(4);
    await db.deleteFrom("audit_children").where("seq", "=", 2).where("nhs_number", "=", TOMASZ).execute();
    const broken = await brokenAt();
    expect(broken?.seq).toBe(2);
    expect(broken?.reason).toMatch(/^entry 2's child index does not match/);
  });

  it("walks a log longer than one batch and finds a change in the second", async () => {
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 1205; i++) await appendAudit(trx, entry({ childIds: i % 7 === 0 ? [MAISIE] : [] }));
    });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 1205, firstBroken: null });
    await db.updateTable("audit_log").set({ role: "ADMIN" }).where("seq", "=", 1100).execute();
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, entries: 1100, firstBroken: { seq: 1100 } });
  });

  it("keeps 50 concurrent appends in one contiguous chain", async () => {
    const records = await Promise.all(
      Array.from({ length: 50 }, (_, i) => appendAudit(db, entry({ requestId: `concurrent-${i}` }))),
    );
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(records.map((r) => r.requestId)).size).toBe(50);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 50, firstBroken: null });
  });

  it("keeps no entry from a transaction that fails after appending, and the chain carries on", async () => {
    await appendSome(2);
    await expect(
      db.transaction().execute(async (trx) => {
        await appendAudit(trx, entry({ action: "WRITE", requestId: "rolled-back" }));
        throw new Error("the data change failed");
      }),
    ).rejects.toThrow("the data change failed");
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 2, firstBroken: null });

    const kept = await db.transaction().execute((trx) => appendAudit(trx, entry({ action: "WRITE" })));
    expect(kept.seq).toBe(3);
    const recent = await queryAuditLog(db, {});
    expect(recent.map((r) => r.requestId)).not.toContain("rolled-back");
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 3, firstBroken: null });
  });

  it("refuses an entry it could not record faithfully, so the caller's change does not go ahead", async () => {
    await expect(appendAudit(db, entry({ action: "DELETE" as "WRITE" }))).rejects.toThrow(/action must be one of/);
    await expect(appendAudit(db, entry({ at: new Date("not a date") }))).rejects.toThrow(/valid Date/);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 0, firstBroken: null });
  });

  it("finds a child's entries, newest first, within a time range and by action", async () => {
    const at = (day: number) => new Date(Date.UTC(2025, 0, day, 9, 30));
    await appendAudit(db, entry({ at: at(1), childIds: [JAYDEN], requestId: "r1" }));
    await appendAudit(db, entry({ at: at(2), childIds: [TOMASZ], requestId: "r2" }));
    await appendAudit(db, entry({ at: at(3), childIds: [JAYDEN, TOMASZ], requestId: "r3", action: "SEARCH" }));
    await appendAudit(db, entry({ at: at(4), childIds: [JAYDEN, JAYDEN], requestId: "r4", action: "WRITE" }));
    await appendAudit(db, entry({ at: at(5), childIds: [MAISIE], requestId: "r5" }));

    const ids = (records: { requestId: string }[]) => records.map((r) => r.requestId);
    expect(ids(await queryAuditLog(db, { childId: JAYDEN }))).toEqual(["r4", "r3", "r1"]);
    expect(ids(await queryAuditLog(db, { childId: TOMASZ }))).toEqual(["r3", "r2"]);
    expect(ids(await queryAuditLog(db, { childId: "9990000999" }))).toEqual([]);
    expect(ids(await queryAuditLog(db, { from: at(2), to: at(4) }))).toEqual(["r4", "r3", "r2"]);
    expect(ids(await queryAuditLog(db, { childId: JAYDEN, from: at(2) }))).toEqual(["r4", "r3"]);
    expect(ids(await queryAuditLog(db, { childId: JAYDEN, to: at(3) }))).toEqual(["r3", "r1"]);
    expect(ids(await queryAuditLog(db, { actions: ["SEARCH", "WRITE"] }))).toEqual(["r4", "r3"]);
    expect(ids(await queryAuditLog(db, { limit: 2 }))).toEqual(["r5", "r4"]);

    const [latest] = await queryAuditLog(db, { childId: JAYDEN, limit: 1 });
    expect(latest).toMatchObject({
      seq: 4,
      at: at(4).toISOString(),
      childIds: [JAYDEN, JAYDEN],
      fieldsReturned: ["police.missingEpisodes.status", "police.missingEpisodes.reportedAt"],
      fieldsDenied: ["health.diagnoses"],
      before: null,
      after: null,
      detail: null,
    });
    await expect(queryAuditLog(db, { limit: 0 })).rejects.toThrow(/limit must be a whole number/);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 5, firstBroken: null });
  });

  it("group-commits concurrent entries from the writer in order, into a chain that verifies", async () => {
    const writer = createAuditWriter(db);
    const records = await Promise.all(
      Array.from({ length: 120 }, (_, i) => writer.append(entry({ requestId: `g${i}`, childIds: [JAYDEN] }))),
    );
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(records.map((r) => r.requestId)).toEqual(Array.from({ length: 120 }, (_, i) => `g${i}`));
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 120, firstBroken: null });
    expect(await queryAuditLog(db, { childId: JAYDEN, limit: 1000 })).toHaveLength(120);
  });

  it("refuses a bad entry at once, and rejects every entry of a batch that cannot be committed", async () => {
    const writer = createAuditWriter(db);
    await expect(writer.append(entry({ outcome: "MAYBE" as never }))).rejects.toThrow(/outcome/);
    await db.schema.alterTable("audit_children").renameTo("audit_children_gone").execute();
    try {
      const results = await Promise.allSettled([writer.append(entry()), writer.append(entry())]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    } finally {
      await db.schema.alterTable("audit_children_gone").renameTo("audit_children").execute();
    }
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 0, firstBroken: null });
  });
});
