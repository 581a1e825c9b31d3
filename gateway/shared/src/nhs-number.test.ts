import { describe, expect, it } from "vitest";
import { completeNhsNumber, parseNhsNumber } from "./nhs-number.js";

describe("parseNhsNumber", () => {
  it("accepts a valid number with spaces or hyphens", () => {
    expect(parseNhsNumber("999 000 0018")).toEqual({ ok: true, value: "9990000018" });
    expect(parseNhsNumber("999-000-0018")).toEqual({ ok: true, value: "9990000018" });
  });
  it.each([
    ["", "empty"],
    ["99900000", "has 8"],
    ["999000001A", "digits only"],
    ["9990000019", "check digit"],
  ])("rejects %j, saying what is wrong", (input, phrase) => {
    const result = parseNhsNumber(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(phrase);
  });
  it("rejects stems whose check digit would be 10", () => {
    // 999000002: sum 9*10+9*9+9*8+2*2 = 247, 247 mod 11 = 5, check 6 -> valid; find one that is 10.
    const invalidStems = Array.from({ length: 100 }, (_, i) => `9990001${String(i).padStart(2, "0")}`).filter(
      (stem) => completeNhsNumber(stem) === null,
    );
    expect(invalidStems.length).toBeGreaterThan(0);
    for (const stem of invalidStems) {
      for (let d = 0; d < 10; d += 1) expect(parseNhsNumber(`${stem}${d}`).ok).toBe(false);
    }
  });
});
