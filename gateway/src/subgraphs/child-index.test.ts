import { describe, expect, it } from "vitest";
import { ageInYears } from "./child-index.js";

describe("ageInYears", () => {
  const today = new Date("2026-11-26T02:00:00Z");
  it.each([
    ["2013-11-26", 13],
    ["2013-11-27", 12],
    ["2013-01-01", 13],
    ["2013-12-31", 12],
    ["2012-02-29", 14],
  ])("a child born %s is %i", (dob, age) => {
    expect(ageInYears(dob, today)).toBe(age);
  });
});
