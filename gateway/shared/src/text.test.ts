import { describe, expect, it } from "vitest";
import { editDistance } from "./text.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["amber", "amber", 0],
    ["amber", "ambre", 1],
    ["whitlock", "witlock", 1],
    ["jones", "jnoes", 1],
    ["kitten", "sitting", 3],
    ["abc", "", 3],
    ["ca", "abc", 3],
  ])("%s → %s is %i", (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });

  it("gives up past the bound with bound + 1", () => {
    expect(editDistance("safeguarding", "glossary", 2)).toBe(3);
    expect(editDistance("abcdef", "a", 2)).toBe(3);
  });
});
