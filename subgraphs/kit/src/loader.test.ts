import { Kysely, SqliteDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeSqliteDatabase } from "@safeguarding/shared/store";
import { createBatchLoader, rowsByChild } from "./loader.js";

describe("createBatchLoader", () => {
  it("loads every key asked for in one tick with one call", async () => {
    const calls: string[][] = [];
    const load = createBatchLoader(async (keys: string[]) => {
      calls.push(keys);
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    const values = await Promise.all(["a", "b", "a", "c"].map(load));
    expect(values).toEqual(["A", "B", "A", "C"]);
    expect(calls).toEqual([["a", "b", "c"]]);
    expect(await load("d")).toBe("D");
    expect(calls).toHaveLength(2);
  });

  it("answers undefined for a key the batch did not find", async () => {
    const load = createBatchLoader(async (keys: string[]) => new Map(keys.filter((k) => k !== "b").map((k) => [k, 1])));
    expect(await Promise.all(["a", "b"].map(load))).toEqual([1, undefined]);
  });
});

interface EpisodeTable {
  id: string;
  nhs_number: string;
  started_at: string;
  ended_at: string | null;
}

describe("rowsByChild", () => {
  let db: Kysely<{ episodes: EpisodeTable }>;
  const queries: string[] = [];

  beforeAll(async () => {
    db = new Kysely({
      dialect: new SqliteDialect({ database: nodeSqliteDatabase(":memory:") }),
      log: (event) => {
        queries.push(event.query.sql);
      },
    });
    await db.schema
      .createTable("episodes")
      .addColumn("id", "text")
      .addColumn("nhs_number", "text")
      .addColumn("started_at", "text")
      .addColumn("ended_at", "text")
      .execute();
    await db
      .insertInto("episodes")
      .values([
        { id: "a-old", nhs_number: "A", started_at: "2026-01-01", ended_at: "2026-02-01" },
        { id: "b-open", nhs_number: "B", started_at: "2026-03-01", ended_at: null },
        { id: "a-new", nhs_number: "A", started_at: "2026-05-01", ended_at: null },
        { id: "a-mid", nhs_number: "A", started_at: "2026-03-01", ended_at: "2026-04-01" },
      ])
      .execute();
  });
  afterAll(async () => {
    await db.destroy();
  });

  it("reads every child asked for in a tick with one query, each child's own rows newest first", async () => {
    queries.length = 0;
    const episodes = rowsByChild(db, "episodes", { newestFirst: "started_at", map: (rows) => rows.map((r) => r.id) });
    const [a, b, nobody, again] = await Promise.all(["A", "B", "C", "A"].map(episodes));
    expect(a).toEqual(["a-new", "a-mid", "a-old"]);
    expect(b).toEqual(["b-open"]);
    expect(nobody).toEqual([]);
    expect(again).toBe(a);
    expect(queries).toHaveLength(1);
  });

  it("keeps only rows whose column is empty when asked, and maps them to the resolver's value", async () => {
    const open = rowsByChild(db, "episodes", {
      newestFirst: "started_at",
      whereNull: "ended_at",
      map: ([row]) => (row ? row.id : null),
    });
    expect(await Promise.all(["A", "B", "C"].map(open))).toEqual(["a-new", "b-open", null]);
  });
});
