import { describe, expect, it } from "vitest";
import { loadProtocolConfigs, type ProtocolFlag } from "@safeguarding/protocol-engine";
import { PROTOCOL_CONFIG_DIR } from "../config.js";
import type { LiveChildRecord } from "./live.js";
import { flagKey, longestTimescaleDays, overdueSummary, WATCHED_RULES } from "./watch.js";

const configs = loadProtocolConfigs(PROTOCOL_CONFIG_DIR);
const asOf = new Date("2026-11-26T02:00:00Z");

const record = {
  id: "9990000018",
  identity: { givenName: "Amber", familyName: "Whitlock" },
} as unknown as LiveChildRecord;

const flag = (over: Partial<ProtocolFlag> = {}): ProtocolFlag => ({
  rule: "STRATEGY_DISCUSSION",
  status: "OVERDUE",
  dueBy: new Date("2026-11-25T14:20:00Z"),
  reason:
    "Strategy discussion for the missing episode reported 24 Nov 14:20, which showed signs of child sexual exploitation, was due by 25 Nov 14:20 and none has been held since.",
  evidence: ["ME-0018-04"],
  ...over,
});

describe("the protocol watch's pieces", () => {
  it("leaves mental-health escalation to health's own watch, and watches every other rule", () => {
    expect(WATCHED_RULES).not.toContain("MENTAL_HEALTH_ESCALATION");
    expect(WATCHED_RULES).toHaveLength(6);
  });

  it("looks back as far as the longest watched timescale of any area: the risk-management meeting's 5 days", () => {
    // POLICE_PROTECTION_LIMIT (72 h) and RETURN_INTERVIEW (72 h) are 3 days; mental health's 7 days are not watched.
    expect(longestTimescaleDays(configs)).toBe(5);
  });

  it("keys a flag by child, rule, status and evidence, whatever the evidence's order", () => {
    const rmm = flag({ rule: "RISK_MANAGEMENT_MEETING", evidence: ["ME-2", "ME-3", "ME-4"] });
    expect(flagKey("9990000018", rmm)).toBe(flagKey("9990000018", { ...rmm, evidence: ["ME-4", "ME-2", "ME-3"] }));
    expect(flagKey("9990000018", rmm)).not.toBe(flagKey("9990000026", rmm));
    expect(flagKey("9990000018", rmm)).not.toBe(flagKey("9990000018", { ...rmm, status: "BREACHED" }));
    expect(flagKey("9990000018", rmm)).not.toBe(flagKey("9990000018", { ...rmm, evidence: ["ME-2", "ME-3"] }));
    // The due time is not part of it: a corrected time does not raise the same flag again.
    expect(flagKey("9990000018", rmm)).toBe(flagKey("9990000018", { ...rmm, dueBy: new Date() }));
  });

  it("summarises the step and when it was due, never the engine's reason (no CSE detail in an alert)", () => {
    const summary = overdueSummary(record, flag(), asOf);
    expect(summary).toBe(
      "Amber Whitlock (999 000 0018): a strategy discussion was due by 14:20 on 25 Nov and is not recorded. Open the child's record for what the protocol asks.",
    );
    expect(summary).not.toMatch(/exploitation/i);
    expect(
      overdueSummary(record, flag({ rule: "POLICE_PROTECTION_LIMIT", status: "BREACHED", evidence: ["PP-1"] }), asOf),
    ).toMatch(/: police protection went past its time limit at 14:20 on 25 Nov\./);
  });
});
