import { describe, expect, it } from "vitest";
import { summaryChild, summaryLine, summaryTime } from "./event-summary.js";

describe("event summaries", () => {
  it("names the child with the NHS number spaced as people read it", () => {
    expect(summaryChild({ nhs_number: "9990000018", given_name: "Amber", family_name: "Whitlock" })).toBe(
      "Amber Whitlock (999 000 0018)",
    );
  });

  it.each([
    ["winter, GMT", "2026-12-06T21:40:00Z", "2026-12-07T09:00:00Z", "21:40 on 6 Dec"],
    ["summer, BST: an hour ahead of UTC", "2026-07-01T23:30:00Z", "2026-07-02T09:00:00Z", "00:30 on 2 Jul"],
    ["another year", "2025-12-31T09:05:00Z", "2026-01-02T09:00:00Z", "09:05 on 31 Dec 2025"],
  ])("gives the time in UK time (%s)", (_case, at, asOf, expected) => {
    expect(summaryTime(new Date(at), new Date(asOf))).toBe(expected);
  });

  it("keeps a summary within the event contract's 300 characters", () => {
    expect(summaryLine("Short.")).toBe("Short.");
    const long = summaryLine(`${"Name ".repeat(80)}reported missing.`);
    expect(long).toHaveLength(300);
    expect(long.endsWith("…")).toBe(true);
  });
});
