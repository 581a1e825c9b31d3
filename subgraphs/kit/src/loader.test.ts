import { describe, expect, it } from "vitest";
import { createBatchLoader } from "./loader.js";

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
});
