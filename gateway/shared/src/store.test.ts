import { join } from "node:path";
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, reusableQuery } from "./store.js";
import { storeTestBackends, type TestStore } from "./store-testing.js";

interface Tables {
  notes: { id: number; nhs_number: string; body: string; closed_at: string | null };
}

const notesTable: Migration = {
  async up(db) {
    await db.schema
      .createTable("notes")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("nhs_number", "varchar(10)", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("closed_at", "varchar(32)")
      .execute();
  },
};

const backends = storeTestBackends<Tables>("reusable", ({ dataDir, databaseUrl }) =>
  openStore<Tables>({
    name: "reusable",
    databaseUrl,
    sqlitePath: join(dataDir, "reusable.db"),
    migrations: { "001_notes": notesTable },
  }),
);

/** Open notes of some children, newest (highest id) first: the shape of every agency's per-child read. */
const openNotes = reusableQuery({
  shape: (nhsNumbers: readonly string[]) => `open notes ${nhsNumbers.length}`,
  build: (db, nhsNumbers) =>
    db
      .selectFrom("notes")
      .select(["id", "body"])
      .where("nhs_number", "in", [...nhsNumbers])
      .where("closed_at", "is", null)
      .orderBy("id", "desc"),
  parameters: (nhsNumbers) => nhsNumbers,
});

describe.each(backends)("a reusable query on $name", (backend) => {
  let opened: TestStore<Tables>;
  let db: Kysely<Tables>;
  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
    await db
      .insertInto("notes")
      .values([
        { id: 1, nhs_number: "9990000018", body: "first", closed_at: null },
        { id: 2, nhs_number: "9990000026", body: "other child", closed_at: null },
        { id: 3, nhs_number: "9990000018", body: "closed", closed_at: "2026-12-01T10:00:00.000Z" },
        { id: 4, nhs_number: "9990000018", body: "latest", closed_at: null },
      ])
      .execute();
  });
  afterAll(async () => opened?.cleanup());

  it("gives each run of the same shape its own values", async () => {
    expect(await openNotes(db, ["9990000018"])).toEqual([
      { id: 4, body: "latest" },
      { id: 1, body: "first" },
    ]);
    // The same shape (one child), run again with another value, reads that child's rows and no one else's.
    expect(await openNotes(db, ["9990000026"])).toEqual([{ id: 2, body: "other child" }]);
    expect(await openNotes(db, ["9990000034"])).toEqual([]);
    // Another shape (two children) is built for itself.
    expect((await openNotes(db, ["9990000026", "9990000018"])).map((r) => r.id)).toEqual([4, 2, 1]);
  });

  it("refuses a query whose parameters are not the values Kysely bound, before it runs", async () => {
    const wrongOrder = reusableQuery({
      shape: (nhsNumber: string, _body: string) => `wrong order ${nhsNumber.length}`,
      build: (db, nhsNumber, body) =>
        db.selectFrom("notes").select("id").where("nhs_number", "=", nhsNumber).where("body", "=", body),
      parameters: (nhsNumber, body) => [body, nhsNumber],
    });
    await expect(wrongOrder(db, "9990000018", "first")).rejects.toThrow(/not the values Kysely bound/);
  });
});
