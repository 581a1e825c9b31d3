import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { termsDir } from "./load.js";

describe("glossary content", () => {
  it("never names the child in the case review: examples use invented people", () => {
    const files = readdirSync(termsDir).filter((f) => f.endsWith(".md"));
    expect(files.length).toBeGreaterThan(0);
    const naming = files.filter((f) => /\bchloe\b/i.test(readFileSync(join(termsDir, f), "utf8")));
    expect(naming).toEqual([]);
  });
});
