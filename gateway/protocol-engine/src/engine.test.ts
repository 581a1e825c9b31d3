import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createProtocolConfigs, loadProtocolConfigs, ProtocolConfigError, type ProtocolConfig } from "./config.js";
import {
  evaluateProtocol,
  readableTime,
  type MissingEpisodeFact,
  type ProtocolFacts,
  type ProtocolFlag,
} from "./engine.js";
import { ProtocolInputError } from "./errors.js";

// The area files the gateway ships (gateway/protocol), so the documented defaults are what is tested.
const PROTOCOL_CONFIG_DIR = fileURLToPath(new URL("../../protocol/", import.meta.url));

const configs = loadProtocolConfigs(PROTOCOL_CONFIG_DIR);
const defaults = configs.forArea(null);

// 3 Nov 2026 14:20 UTC, which is 14:20 in the UK (GMT in November).
const T0 = Date.parse("2026-11-03T14:20:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(T0 + ms);

function facts(partial: Partial<ProtocolFacts> & { asOf: Date }): ProtocolFacts {
  return {
    missingEpisodes: [],
    returnInterviews: [],
    strategyDiscussions: [],
    riskManagementMeetings: [],
    policeProtection: [],
    mentalHealthAssessments: [],
    ...partial,
  };
}

function episode(id: string, reportedAt: number, extra: Partial<MissingEpisodeFact> = {}): MissingEpisodeFact {
  return {
    id,
    reportedAt: at(reportedAt),
    foundAt: null,
    riskLevel: "MEDIUM",
    cseIndicators: false,
    returnedTo: null,
    seniorManagerNotifiedAt: null,
    ...extra,
  };
}

const summary = (flags: ProtocolFlag[]) =>
  flags.map((f) => ({ rule: f.rule, status: f.status, dueBy: f.dueBy.toISOString(), evidence: f.evidence }));
const only = (flags: ProtocolFlag[], rule: ProtocolFlag["rule"]) => summary(flags.filter((f) => f.rule === rule));

interface Scenario {
  name: string;
  facts: ProtocolFacts;
  rule: ProtocolFlag["rule"];
  expected: { status: ProtocolFlag["status"]; dueBy: number; evidence: string[] }[];
}

const found = (id: string, reportedAt: number, foundAfter: number, extra: Partial<MissingEpisodeFact> = {}) =>
  episode(id, reportedAt, { foundAt: at(reportedAt + foundAfter), returnedTo: "PLACEMENT", ...extra });

const scenarios: Scenario[] = [
  // 1. Return home interview: found + 72 h.
  {
    name: "return interview due at exactly 72 h after found",
    rule: "RETURN_INTERVIEW",
    facts: facts({ asOf: at(2 * HOUR + 72 * HOUR), missingEpisodes: [found("ME-1", 0, 2 * HOUR)] }),
    expected: [{ status: "DUE", dueBy: 74 * HOUR, evidence: ["ME-1"] }],
  },
  {
    name: "return interview overdue a minute after 72 h",
    rule: "RETURN_INTERVIEW",
    facts: facts({ asOf: at(74 * HOUR + MINUTE), missingEpisodes: [found("ME-1", 0, 2 * HOUR)] }),
    expected: [{ status: "OVERDUE", dueBy: 74 * HOUR, evidence: ["ME-1"] }],
  },
  {
    name: "return interview recorded closes it",
    rule: "RETURN_INTERVIEW",
    facts: facts({
      asOf: at(10 * DAY),
      missingEpisodes: [found("ME-1", 0, 2 * HOUR)],
      returnInterviews: [{ episodeId: "ME-1", heldAt: at(3 * DAY) }],
    }),
    expected: [],
  },
  {
    name: "no return interview while the child is still missing",
    rule: "RETURN_INTERVIEW",
    facts: facts({ asOf: at(10 * DAY), missingEpisodes: [episode("ME-1", 0)] }),
    expected: [],
  },
  {
    name: "one return interview flag per episode without one",
    rule: "RETURN_INTERVIEW",
    facts: facts({
      asOf: at(30 * DAY),
      missingEpisodes: [found("ME-1", 0, HOUR), found("ME-2", 5 * DAY, HOUR), found("ME-3", 9 * DAY, HOUR)],
      returnInterviews: [{ episodeId: "ME-2", heldAt: at(6 * DAY) }],
    }),
    expected: [
      { status: "OVERDUE", dueBy: 73 * HOUR, evidence: ["ME-1"] },
      { status: "OVERDUE", dueBy: 9 * DAY + 73 * HOUR, evidence: ["ME-3"] },
    ],
  },

  // 2. Strategy discussion: CSE indicators or high risk, reportedAt + 24 h.
  {
    name: "strategy discussion for a high-risk episode, due at exactly 24 h",
    rule: "STRATEGY_DISCUSSION",
    facts: facts({ asOf: at(24 * HOUR), missingEpisodes: [episode("ME-1", 0, { riskLevel: "HIGH" })] }),
    expected: [{ status: "DUE", dueBy: 24 * HOUR, evidence: ["ME-1"] }],
  },
  {
    name: "strategy discussion for CSE indicators at low risk, overdue",
    rule: "STRATEGY_DISCUSSION",
    facts: facts({
      asOf: at(25 * HOUR),
      missingEpisodes: [episode("ME-1", 0, { riskLevel: "LOW", cseIndicators: true })],
    }),
    expected: [{ status: "OVERDUE", dueBy: 24 * HOUR, evidence: ["ME-1"] }],
  },
  {
    name: "no strategy discussion needed for a medium-risk episode without CSE",
    rule: "STRATEGY_DISCUSSION",
    facts: facts({ asOf: at(3 * DAY), missingEpisodes: [episode("ME-1", 0)] }),
    expected: [],
  },
  {
    name: "a strategy discussion held exactly at reportedAt satisfies it",
    rule: "STRATEGY_DISCUSSION",
    facts: facts({
      asOf: at(3 * DAY),
      missingEpisodes: [episode("ME-1", 0, { riskLevel: "HIGH" })],
      strategyDiscussions: [{ heldAt: at(0), minutesSharedAt: at(HOUR) }],
    }),
    expected: [],
  },
  {
    name: "a strategy discussion held before the episode does not",
    rule: "STRATEGY_DISCUSSION",
    facts: facts({
      asOf: at(3 * DAY),
      missingEpisodes: [episode("ME-1", 0, { riskLevel: "HIGH" })],
      strategyDiscussions: [{ heldAt: at(-MINUTE), minutesSharedAt: at(HOUR) }],
    }),
    expected: [{ status: "OVERDUE", dueBy: 24 * HOUR, evidence: ["ME-1"] }],
  },

  // 3. Risk-management meeting: 3 episodes within [T − 30 days, T], due T + 5 days.
  {
    name: "the third episode on day 30 triggers a meeting",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(31 * DAY),
      missingEpisodes: [found("ME-1", 0, HOUR), found("ME-2", 15 * DAY, HOUR), found("ME-3", 30 * DAY, HOUR)],
    }),
    expected: [{ status: "DUE", dueBy: 35 * DAY, evidence: ["ME-1", "ME-2", "ME-3"] }],
  },
  {
    name: "the third episode a minute after day 30 does not",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(31 * DAY),
      missingEpisodes: [found("ME-1", 0, HOUR), found("ME-2", 15 * DAY, HOUR), found("ME-3", 30 * DAY + MINUTE, HOUR)],
    }),
    expected: [],
  },
  {
    name: "overdue after T + 5 days",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(7 * DAY + MINUTE),
      missingEpisodes: [found("ME-1", 0, HOUR), found("ME-2", DAY, HOUR), found("ME-3", 2 * DAY, HOUR)],
    }),
    expected: [{ status: "OVERDUE", dueBy: 7 * DAY, evidence: ["ME-1", "ME-2", "ME-3"] }],
  },
  {
    name: "a meeting at exactly T satisfies it",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(20 * DAY),
      missingEpisodes: [found("ME-1", 0, HOUR), found("ME-2", DAY, HOUR), found("ME-3", 2 * DAY, HOUR)],
      riskManagementMeetings: [{ heldAt: at(2 * DAY) }],
    }),
    expected: [],
  },
  {
    name: "a meeting later than T + 5 days still satisfies it",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(20 * DAY),
      missingEpisodes: [found("ME-1", 0, HOUR), found("ME-2", DAY, HOUR), found("ME-3", 2 * DAY, HOUR)],
      riskManagementMeetings: [{ heldAt: at(10 * DAY) }],
    }),
    expected: [],
  },
  {
    name: "a meeting before T restarts the count",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(20 * DAY),
      missingEpisodes: [found("ME-1", 0, HOUR), found("ME-2", DAY, HOUR), found("ME-3", 2 * DAY, HOUR)],
      riskManagementMeetings: [{ heldAt: at(2 * DAY - MINUTE) }],
    }),
    expected: [],
  },
  {
    name: "episodes after a meeting count again from the meeting",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(12 * DAY),
      missingEpisodes: [
        found("ME-1", 0, HOUR),
        found("ME-2", DAY, HOUR),
        found("ME-3", 2 * DAY, HOUR),
        found("ME-4", 4 * DAY, HOUR),
        found("ME-5", 5 * DAY, HOUR),
        found("ME-6", 6 * DAY, HOUR),
      ],
      riskManagementMeetings: [{ heldAt: at(3 * DAY) }],
    }),
    expected: [{ status: "OVERDUE", dueBy: 11 * DAY, evidence: ["ME-4", "ME-5", "ME-6"] }],
  },
  {
    name: "two episodes after a meeting are not enough, even with older ones in the 30 days",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(12 * DAY),
      missingEpisodes: [
        found("ME-1", 0, HOUR),
        found("ME-2", DAY, HOUR),
        found("ME-3", 4 * DAY, HOUR),
        found("ME-4", 5 * DAY, HOUR),
      ],
      riskManagementMeetings: [{ heldAt: at(3 * DAY) }],
    }),
    expected: [],
  },
  {
    name: "one flag, for the earliest unsatisfied trigger",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(12 * DAY),
      missingEpisodes: [
        found("ME-1", 0, HOUR),
        found("ME-2", DAY, HOUR),
        found("ME-3", 2 * DAY, HOUR),
        found("ME-4", 3 * DAY, HOUR),
      ],
    }),
    expected: [{ status: "OVERDUE", dueBy: 7 * DAY, evidence: ["ME-1", "ME-2", "ME-3"] }],
  },
  {
    name: "a satisfied trigger gives way to a later unsatisfied one",
    rule: "RISK_MANAGEMENT_MEETING",
    facts: facts({
      asOf: at(12 * DAY),
      missingEpisodes: [
        found("ME-1", 0, HOUR),
        found("ME-2", DAY, HOUR),
        found("ME-3", 2 * DAY, HOUR),
        found("ME-4", 3 * DAY, HOUR),
      ],
      riskManagementMeetings: [{ heldAt: at(2 * DAY + HOUR) }],
    }),
    expected: [],
  },

  // 4. Senior manager told when the child was taken to a police station: found + 1 h.
  {
    name: "senior manager due at exactly 1 h after found at a police station",
    rule: "SENIOR_MANAGER_NOTIFICATION",
    facts: facts({
      asOf: at(3 * HOUR),
      missingEpisodes: [found("ME-1", 0, 2 * HOUR, { returnedTo: "POLICE_STATION" })],
    }),
    expected: [{ status: "DUE", dueBy: 3 * HOUR, evidence: ["ME-1"] }],
  },
  {
    name: "senior manager overdue a minute later",
    rule: "SENIOR_MANAGER_NOTIFICATION",
    facts: facts({
      asOf: at(3 * HOUR + MINUTE),
      missingEpisodes: [found("ME-1", 0, 2 * HOUR, { returnedTo: "POLICE_STATION" })],
    }),
    expected: [{ status: "OVERDUE", dueBy: 3 * HOUR, evidence: ["ME-1"] }],
  },
  {
    name: "a recorded notification closes it",
    rule: "SENIOR_MANAGER_NOTIFICATION",
    facts: facts({
      asOf: at(5 * HOUR),
      missingEpisodes: [
        found("ME-1", 0, 2 * HOUR, { returnedTo: "POLICE_STATION", seniorManagerNotifiedAt: at(4 * HOUR) }),
      ],
    }),
    expected: [],
  },
  {
    name: "no notification needed when returned to the placement",
    rule: "SENIOR_MANAGER_NOTIFICATION",
    facts: facts({ asOf: at(5 * HOUR), missingEpisodes: [found("ME-1", 0, 2 * HOUR)] }),
    expected: [],
  },

  // 5. Police protection: 72 h limit.
  {
    name: "ongoing police protection is due to end at start + 72 h",
    rule: "POLICE_PROTECTION_LIMIT",
    facts: facts({ asOf: at(10 * HOUR), policeProtection: [{ id: "PP-1", startedAt: at(0) }] }),
    expected: [{ status: "DUE", dueBy: 72 * HOUR, evidence: ["PP-1"] }],
  },
  {
    name: "ongoing at exactly 72 h is still due",
    rule: "POLICE_PROTECTION_LIMIT",
    facts: facts({ asOf: at(72 * HOUR), policeProtection: [{ id: "PP-1", startedAt: at(0) }] }),
    expected: [{ status: "DUE", dueBy: 72 * HOUR, evidence: ["PP-1"] }],
  },
  {
    name: "ongoing past 72 h is breached",
    rule: "POLICE_PROTECTION_LIMIT",
    facts: facts({ asOf: at(72 * HOUR + MINUTE), policeProtection: [{ id: "PP-1", startedAt: at(0) }] }),
    expected: [{ status: "BREACHED", dueBy: 72 * HOUR, evidence: ["PP-1"] }],
  },
  {
    name: "ended after more than 72 h is breached",
    rule: "POLICE_PROTECTION_LIMIT",
    facts: facts({ asOf: at(10 * DAY), policeProtection: [{ startedAt: at(0), endedAt: at(73 * HOUR) }] }),
    expected: [{ status: "BREACHED", dueBy: 72 * HOUR, evidence: ["policeProtection[0]"] }],
  },
  {
    name: "ended at exactly 72 h is not breached",
    rule: "POLICE_PROTECTION_LIMIT",
    facts: facts({ asOf: at(10 * DAY), policeProtection: [{ startedAt: at(0), endedAt: at(72 * HOUR) }] }),
    expected: [],
  },
  {
    name: "ended within the limit raises nothing",
    rule: "POLICE_PROTECTION_LIMIT",
    facts: facts({ asOf: at(10 * DAY), policeProtection: [{ startedAt: at(0), endedAt: at(3 * HOUR) }] }),
    expected: [],
  },

  // 6. Mental-health assessment: requestedAt + 7 days.
  {
    name: "assessment due at exactly 7 days",
    rule: "MENTAL_HEALTH_ESCALATION",
    facts: facts({ asOf: at(7 * DAY), mentalHealthAssessments: [{ id: "MHA-1", requestedAt: at(0) }] }),
    expected: [{ status: "DUE", dueBy: 7 * DAY, evidence: ["MHA-1"] }],
  },
  {
    name: "assessment overdue after 7 days",
    rule: "MENTAL_HEALTH_ESCALATION",
    facts: facts({ asOf: at(8 * DAY), mentalHealthAssessments: [{ requestedAt: at(0) }] }),
    expected: [{ status: "OVERDUE", dueBy: 7 * DAY, evidence: ["mentalHealthAssessments[0]"] }],
  },
  {
    name: "a completed assessment raises nothing",
    rule: "MENTAL_HEALTH_ESCALATION",
    facts: facts({ asOf: at(30 * DAY), mentalHealthAssessments: [{ requestedAt: at(0), completedAt: at(9 * DAY) }] }),
    expected: [],
  },

  // 7. Strategy minutes: heldAt + 24 h.
  {
    name: "minutes due at exactly 24 h",
    rule: "STRATEGY_MINUTES_SHARING",
    facts: facts({ asOf: at(24 * HOUR), strategyDiscussions: [{ id: "SD-1", heldAt: at(0) }] }),
    expected: [{ status: "DUE", dueBy: 24 * HOUR, evidence: ["SD-1"] }],
  },
  {
    name: "minutes overdue after 24 h",
    rule: "STRATEGY_MINUTES_SHARING",
    facts: facts({ asOf: at(24 * HOUR + MINUTE), strategyDiscussions: [{ heldAt: at(0) }] }),
    expected: [{ status: "OVERDUE", dueBy: 24 * HOUR, evidence: ["strategyDiscussions[0]"] }],
  },
  {
    name: "shared minutes raise nothing",
    rule: "STRATEGY_MINUTES_SHARING",
    facts: facts({ asOf: at(3 * DAY), strategyDiscussions: [{ heldAt: at(0), minutesSharedAt: at(HOUR) }] }),
    expected: [],
  },
];

describe("the protocol engine's default rules", () => {
  it.each(scenarios)("$rule: $name", ({ facts: input, rule, expected }) => {
    const flags = evaluateProtocol(input, defaults);
    expect(only(flags, rule)).toEqual(
      expected.map((e) => ({ rule, status: e.status, dueBy: at(e.dueBy).toISOString(), evidence: e.evidence })),
    );
  });

  it("gives a plain sentence with readable times for each flag", () => {
    const flags = evaluateProtocol(
      facts({ asOf: at(10 * DAY), missingEpisodes: [found("ME-1", 0, 18 * HOUR + 40 * MINUTE)] }),
      defaults,
    );
    expect(flags[0].reason).toBe(
      "Return home interview for the episode reported 3 Nov 14:20 (found 4 Nov 09:00) was due by 7 Nov 09:00 and has not been recorded.",
    );
  });

  it.each([
    [
      "RETURN_INTERVIEW",
      facts({ asOf: at(HOUR), missingEpisodes: [found("ME-1", 0, HOUR)] }),
      /^Hold a return home interview for the episode reported 3 Nov 14:20 \(found 3 Nov 15:20\) by 6 Nov 15:20\.$/,
    ],
    [
      "STRATEGY_DISCUSSION",
      facts({ asOf: at(HOUR), missingEpisodes: [episode("ME-1", 0, { riskLevel: "HIGH", cseIndicators: true })] }),
      /^Hold a strategy discussion by 4 Nov 14:20: .* was high risk and showed signs of child sexual exploitation/,
    ],
    [
      "RISK_MANAGEMENT_MEETING",
      facts({
        asOf: at(9 * DAY),
        missingEpisodes: [found("ME-1", 0, HOUR), found("ME-2", DAY, HOUR), found("ME-3", 2 * DAY, HOUR)],
      }),
      /^Risk-management meeting was due by 10 Nov 14:20 because 3 missing episodes were reported between 3 Nov 14:20 and 5 Nov 14:20 \(within 30 days\)/,
    ],
    [
      "SENIOR_MANAGER_NOTIFICATION",
      facts({ asOf: at(5 * HOUR), missingEpisodes: [found("ME-1", 0, 2 * HOUR, { returnedTo: "POLICE_STATION" })] }),
      /police station when found 3 Nov 16:20 .*due by 3 Nov 17:20\.$/,
    ],
    [
      "POLICE_PROTECTION_LIMIT",
      facts({ asOf: at(80 * HOUR), policeProtection: [{ startedAt: at(0) }] }),
      /still open past its 72-hour limit \(6 Nov 14:20\)/,
    ],
    [
      "MENTAL_HEALTH_ESCALATION",
      facts({ asOf: at(8 * DAY), mentalHealthAssessments: [{ requestedAt: at(0) }] }),
      /escalate along the health escalation route\.$/,
    ],
    [
      "STRATEGY_MINUTES_SHARING",
      facts({ asOf: at(HOUR), strategyDiscussions: [{ heldAt: at(0) }] }),
      /^Share the minutes of the strategy discussion held 3 Nov 14:20 with every agency present by 4 Nov 14:20\.$/,
    ],
  ] as const)("%s reason reads as one sentence", (rule, input, reason) => {
    const flag = evaluateProtocol(input, defaults).find((f) => f.rule === rule)!;
    expect(flag.reason).toMatch(reason);
    expect(flag.reason.trim().split(/(?<=\.)\s+(?=[A-Z])/)).toHaveLength(1);
  });

  it("writes times in UK time, with the year only when it differs", () => {
    expect(readableTime(new Date("2026-07-01T08:05:00Z"), new Date("2026-07-02T00:00:00Z"))).toBe("1 Jul 09:05");
    expect(readableTime(new Date("2025-12-31T23:30:00Z"), new Date("2026-01-02T00:00:00Z"))).toBe("31 Dec 2025 23:30");
  });

  it("sorts flags by dueBy, then by rule", () => {
    const flags = evaluateProtocol(
      facts({
        asOf: at(2 * HOUR),
        missingEpisodes: [found("ME-1", 0, HOUR, { riskLevel: "HIGH" })],
        policeProtection: [{ id: "PP-1", startedAt: at(HOUR) }],
        mentalHealthAssessments: [{ id: "MHA-1", requestedAt: at(-10 * DAY) }],
      }),
      defaults,
    );
    expect(flags.map((f) => f.rule)).toEqual([
      "MENTAL_HEALTH_ESCALATION",
      "STRATEGY_DISCUSSION",
      "RETURN_INTERVIEW",
      "POLICE_PROTECTION_LIMIT",
    ]);
  });

  it("raises nothing for a child with no facts", () => {
    expect(evaluateProtocol(facts({ asOf: at(0) }), defaults)).toEqual([]);
  });

  it("skips a rule the area has turned off, and uses the area's thresholds", () => {
    const input = facts({
      asOf: at(6 * DAY),
      mentalHealthAssessments: [{ id: "MHA-1", requestedAt: at(0) }],
      strategyDiscussions: [{ heldAt: at(0) }],
    });
    const area: ProtocolConfig = {
      ...defaults,
      area: "test",
      rules: { ...defaults.rules, STRATEGY_MINUTES_SHARING: { enabled: false, withinHours: 24 } },
    };
    expect(evaluateProtocol(input, area).map((f) => f.rule)).toEqual(["MENTAL_HEALTH_ESCALATION"]);
    const northAvonvale = configs.forArea("north-avonvale");
    expect(only(evaluateProtocol(input, northAvonvale), "MENTAL_HEALTH_ESCALATION")).toEqual([
      { rule: "MENTAL_HEALTH_ESCALATION", status: "OVERDUE", dueBy: at(5 * DAY).toISOString(), evidence: ["MHA-1"] },
    ]);
  });
});

describe("inconsistent facts are refused naming the field", () => {
  const asOf = at(10 * DAY);
  it.each([
    [
      "found before reported",
      facts({ asOf, missingEpisodes: [episode("ME-1", HOUR, { foundAt: at(0) })] }),
      "facts.missingEpisodes[0].foundAt",
      /found .* before it was reported/,
    ],
    [
      "two episodes with one id",
      facts({ asOf, missingEpisodes: [episode("ME-1", 0), episode("ME-1", HOUR)] }),
      "facts.missingEpisodes[1].id",
      /Two missing episodes have the id ME-1/,
    ],
    [
      "taken somewhere but never found",
      facts({ asOf, missingEpisodes: [episode("ME-1", 0, { returnedTo: "PLACEMENT" })] }),
      "facts.missingEpisodes[0].returnedTo",
      /no foundAt/,
    ],
    [
      "senior manager told before the child was found",
      facts({
        asOf,
        missingEpisodes: [
          found("ME-1", 0, 2 * HOUR, { returnedTo: "POLICE_STATION", seniorManagerNotifiedAt: at(HOUR) }),
        ],
      }),
      "facts.missingEpisodes[0].seniorManagerNotifiedAt",
      /before the child was found/,
    ],
    [
      "return interview for an unknown episode",
      facts({
        asOf,
        missingEpisodes: [found("ME-1", 0, HOUR)],
        returnInterviews: [{ episodeId: "ME-9", heldAt: at(DAY) }],
      }),
      "facts.returnInterviews[0].episodeId",
      /"ME-9", which is not among the missing episodes given \(ME-1\)/,
    ],
    [
      "return interview before the child was found",
      facts({
        asOf,
        missingEpisodes: [found("ME-1", 0, 5 * HOUR)],
        returnInterviews: [{ episodeId: "ME-1", heldAt: at(HOUR) }],
      }),
      "facts.returnInterviews[0].heldAt",
      /before the child was found/,
    ],
    [
      "police protection ended before it started",
      facts({ asOf, policeProtection: [{ startedAt: at(HOUR), endedAt: at(0) }] }),
      "facts.policeProtection[0].endedAt",
      /ended .* before it started/,
    ],
    [
      "assessment completed before it was requested",
      facts({ asOf, mentalHealthAssessments: [{ requestedAt: at(DAY), completedAt: at(0) }] }),
      "facts.mentalHealthAssessments[0].completedAt",
      /completed .* before it was requested/,
    ],
    [
      "minutes shared before the discussion",
      facts({ asOf, strategyDiscussions: [{ heldAt: at(DAY), minutesSharedAt: at(0) }] }),
      "facts.strategyDiscussions[0].minutesSharedAt",
      /shared .* before it was held/,
    ],
  ])("%s", (_, input, field, message) => {
    let error: unknown;
    try {
      evaluateProtocol(input, defaults);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolInputError);
    expect((error as ProtocolInputError).field).toBe(field);
    expect((error as ProtocolInputError).message).toMatch(message);
  });
});

describe("per-area protocol configuration", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const defaultText = readFileSync(join(PROTOCOL_CONFIG_DIR, "default.json"), "utf8");
  const folder = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), "protocol-config-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const area = (name: string, change: (config: any) => void) => {
    const config = JSON.parse(defaultText);
    config.area = name;
    change(config);
    return JSON.stringify(config);
  };
  const failure = (files: Record<string, string>) => {
    try {
      loadProtocolConfigs(folder(files));
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolConfigError);
      return (error as Error).message;
    }
    throw new Error("expected the configuration to be refused");
  };

  it("ships the documented defaults and an example area", () => {
    expect(configs.areas).toEqual(["default", "north-avonvale"]);
    expect(defaults.rules).toEqual({
      RETURN_INTERVIEW: { enabled: true, withinHours: 72 },
      STRATEGY_DISCUSSION: { enabled: true, withinHours: 24 },
      RISK_MANAGEMENT_MEETING: { enabled: true, episodes: 3, windowDays: 30, withinDays: 5 },
      SENIOR_MANAGER_NOTIFICATION: { enabled: true, withinHours: 1 },
      POLICE_PROTECTION_LIMIT: { enabled: true, limitHours: 72 },
      MENTAL_HEALTH_ESCALATION: { enabled: true, withinDays: 7 },
      STRATEGY_MINUTES_SHARING: { enabled: true, withinHours: 24 },
    });
    expect(defaults.description).toMatch(/not national law/);
  });

  it("refuses an unknown area, listing the known ones", () => {
    expect(() => configs.forArea("south-avonvale")).toThrow(
      /No protocol configuration is held for the area "south-avonvale"\. Known areas: default, north-avonvale\./,
    );
    try {
      configs.forArea("south-avonvale");
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolInputError);
      expect((error as ProtocolInputError).field).toBe("area");
    }
  });

  it("uses the default for a child whose area has no file of its own", () => {
    expect(configs.forChild("south-avonvale").area).toBe("default");
    expect(configs.forChild("North-Avonvale").area).toBe("north-avonvale");
  });

  it.each([
    [
      "a threshold that is not positive",
      area("bad-area", (c) => (c.rules.RETURN_INTERVIEW.withinHours = -1)),
      /bad-area\.json: rules\.RETURN_INTERVIEW\.withinHours: must be more than 0 hours/,
    ],
    [
      "a threshold that is text",
      area("bad-area", (c) => (c.rules.STRATEGY_DISCUSSION.withinHours = "24")),
      /bad-area\.json: rules\.STRATEGY_DISCUSSION\.withinHours: must be a number of hours/,
    ],
    [
      "a misspelt field",
      area("bad-area", (c) => (c.rules.RETURN_INTERVIEW.withinHour = 72)),
      /bad-area\.json: rules\.RETURN_INTERVIEW: unknown field "withinHour"/,
    ],
    [
      "a missing rule",
      area("bad-area", (c) => delete c.rules.MENTAL_HEALTH_ESCALATION),
      /bad-area\.json: rules\.MENTAL_HEALTH_ESCALATION: is missing/,
    ],
    [
      "a missing enabled flag",
      area("bad-area", (c) => delete c.rules.MENTAL_HEALTH_ESCALATION.enabled),
      /rules\.MENTAL_HEALTH_ESCALATION\.enabled: is missing/,
    ],
    [
      "a fractional episode count",
      area("bad-area", (c) => (c.rules.RISK_MANAGEMENT_MEETING.episodes = 2.5)),
      /rules\.RISK_MANAGEMENT_MEETING\.episodes: must be a whole number of episodes/,
    ],
    [
      "police protection beyond the statutory 72 hours",
      area("bad-area", (c) => (c.rules.POLICE_PROTECTION_LIMIT.limitHours = 96)),
      /rules\.POLICE_PROTECTION_LIMIT\.limitHours: must be at most 72 hours/,
    ],
    [
      "an area that does not match the file name",
      area("other-area", () => undefined),
      /bad-area\.json: area: is "other-area" but the file is named bad-area\.json/,
    ],
    ["text that is not JSON", "{ rules: ", /bad-area\.json: is not valid JSON/],
  ])("names the file and field for %s", (_, text, message) => {
    expect(failure({ "default.json": defaultText, "bad-area.json": text })).toMatch(message);
  });

  it("needs a default.json", () => {
    expect(failure({ "north-avonvale.json": area("north-avonvale", () => undefined) })).toMatch(
      /default\.json: is missing/,
    );
  });

  it("builds from parsed configurations", () => {
    expect(() => createProtocolConfigs([])).toThrow(/no default\.json/);
  });
});
