import { describe, expect, it } from "vitest";
import { nameScore, normaliseName } from "./names.js";

describe("normaliseName", () => {
  it("folds case, accents and punctuation", () => {
    expect(normaliseName("  Zoë O'Brien-Smith ")).toBe("zoe o brien smith");
    expect(normaliseName("Łukasz Øverby")).toBe("lukasz overby");
    expect(normaliseName("Strauß")).toBe("strauss");
  });
});

describe("nameScore", () => {
  const names = ["Amber", "Whitlock", "Ambs"];
  it("ranks exact above prefix above misspelling above nothing", () => {
    const exact = nameScore("amber whitlock", names);
    const prefix = nameScore("amb whit", names);
    const typo = nameScore("ambre witlock", names);
    expect(exact).toBe(1);
    expect(prefix).toBeLessThan(exact);
    expect(typo).toBeGreaterThan(0);
    expect(typo).toBeLessThan(exact);
    expect(nameScore("jordan", names)).toBe(0);
  });
  it("needs every typed word to match", () => {
    expect(nameScore("amber smith", names)).toBe(0);
  });
  it("is accent-insensitive", () => {
    expect(nameScore("zoe", ["Zoë"])).toBe(1);
  });
});
