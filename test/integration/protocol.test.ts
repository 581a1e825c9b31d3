import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CHILD, repoRoot, startCluster, type Cluster, PURPOSE, writerFor } from "../support/cluster.js";

const JAYDEN = "9990000026";
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const daysAhead = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

const EVALUATE = /* GraphQL */ `
  query Evaluate($facts: ProtocolFactsInput!, $area: String) {
    evaluateProtocol(facts: $facts, area: $area) {
      rule
      status
      dueBy
      reason
      evidence
    }
  }
`;

const PROTOCOL = /* GraphQL */ `
  query Protocol($id: ID!) {
    child(id: $id, ${PURPOSE}) {
      protocol {
        area
        configuration
        evaluatedAt
        complete
        notEvaluated
        missingFacts
        dataProblems
        flags {
          rule
          status
          dueBy
          reason
          evidence
        }
      }
    }
  }
`;

const SOURCE = "source { agency system department }";
const ACTION_CARD = /* GraphQL */ `
  query ActionCard($id: ID!) {
    child(id: $id, ${PURPOSE}) {
      actionCard {
        generatedAt
        child { nhsNumber name knownAs dateOfBirth ageYears asOf ${SOURCE} discrepancies }
        legalStatus {
          code name since court conditions whoDecidesWhereChildLives meaning officerMust officerMustNot glossaryTermId asOf ${SOURCE}
        }
        whereToReturn {
          childMissing
          missingEpisode { text detail asOf ${SOURCE} }
          recentlyFound { text detail asOf ${SOURCE} }
          returnTo { text detail asOf ${SOURCE} }
          placement { name address carer phone asOf ${SOURCE} }
          doNotReturnTo { text detail asOf ${SOURCE} }
          notes { text detail asOf ${SOURCE} }
          withheld
        }
        whoToCall { order role name phone note asOf ${SOURCE} }
        risks { kind text detail asOf ${SOURCE} }
        decisions { text detail asOf ${SOURCE} }
        ifChildRefuses { summary officerMust officerMustNot call glossaryTermId }
        record
        gaps
      }
    }
  }
`;

type Flag = { rule: string; status: string; dueBy: string; reason: string; evidence: string[] };

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.close();
});

async function evaluate(facts: Record<string, unknown>, area?: string) {
  return cluster.query<{ evaluateProtocol: Flag[] }>(EVALUATE, { facts, area });
}

async function protocolOf(id: string) {
  const result = await cluster.query(PROTOCOL, { id });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data.child.protocol as {
    area: string;
    configuration: string;
    complete: boolean;
    flags: Flag[];
    [key: string]: unknown;
  };
}

async function cardOf(id: string) {
  const result = await cluster.query(ACTION_CARD, { id });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data.child.actionCard;
}

async function write(mutation: string, input: Record<string, unknown>, selection = "__typename") {
  const type = `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
  const result = await cluster.query(
    `mutation($input: ${type}!) { ${mutation}(input: $input) { ${selection} } }`,
    { input },
    { as: writerFor(mutation) },
  );
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data[mutation];
}

describe("evaluateProtocol: what-if evaluation through the gateway", () => {
  const episode = {
    id: "ME-1",
    reportedAt: "2026-11-03T14:20:00Z",
    foundAt: "2026-11-04T09:00:00Z",
    riskLevel: "MEDIUM",
    cseIndicators: false,
    returnedTo: "PLACEMENT",
  };

  it("flags a return interview due at exactly 72 h and overdue after", async () => {
    const due = await evaluate({ asOf: "2026-11-07T09:00:00Z", missingEpisodes: [episode] });
    expect(due.errors).toBeUndefined();
    expect(due.data!.evaluateProtocol).toEqual([
      {
        rule: "RETURN_INTERVIEW",
        status: "DUE",
        dueBy: "2026-11-07T09:00:00.000Z",
        reason: expect.stringMatching(/by 7 Nov 09:00\.$/),
        evidence: ["ME-1"],
      },
    ]);
    const overdue = await evaluate({ asOf: "2026-11-07T09:01:00Z", missingEpisodes: [episode] });
    expect(overdue.data!.evaluateProtocol[0]).toMatchObject({ status: "OVERDUE" });
    expect(overdue.data!.evaluateProtocol[0].reason).toBe(
      "Return home interview for the episode reported 3 Nov 14:20 (found 4 Nov 09:00) was due by 7 Nov 09:00 and has not been recorded.",
    );
  });

  it("counts the third episode on day 30 for a risk-management meeting, and a meeting at T closes it", async () => {
    const episodes = ["2026-10-01T10:00:00Z", "2026-10-15T10:00:00Z", "2026-10-31T10:00:00Z"].map((reportedAt, i) => ({
      id: `ME-${i + 1}`,
      reportedAt,
      foundAt: reportedAt,
      riskLevel: "LOW",
      cseIndicators: false,
      returnedTo: "PLACEMENT",
    }));
    const interviews = episodes.map((e) => ({ episodeId: e.id, heldAt: e.reportedAt }));
    const open = await evaluate({
      asOf: "2026-11-10T00:00:00Z",
      missingEpisodes: episodes,
      returnInterviews: interviews,
    });
    expect(open.data!.evaluateProtocol).toEqual([
      {
        rule: "RISK_MANAGEMENT_MEETING",
        status: "OVERDUE",
        dueBy: "2026-11-05T10:00:00.000Z",
        reason: expect.any(String),
        evidence: ["ME-1", "ME-2", "ME-3"],
      },
    ]);
    const met = await evaluate({
      asOf: "2026-11-10T00:00:00Z",
      missingEpisodes: episodes,
      returnInterviews: interviews,
      riskManagementMeetings: [{ heldAt: "2026-10-31T10:00:00Z" }],
    });
    expect(met.data!.evaluateProtocol).toEqual([]);
  });

  it("reports police protection past 72 hours as breached", async () => {
    const result = await evaluate({
      asOf: "2026-11-10T00:00:00Z",
      policeProtection: [{ id: "PP-1", startedAt: "2026-11-01T00:00:00Z", endedAt: "2026-11-04T01:00:00Z" }],
    });
    expect(result.data!.evaluateProtocol).toEqual([
      {
        rule: "POLICE_PROTECTION_LIMIT",
        status: "BREACHED",
        dueBy: "2026-11-04T00:00:00.000Z",
        reason: expect.stringMatching(/72-hour limit/),
        evidence: ["PP-1"],
      },
    ]);
  });

  it("uses the default configuration unless an area is named", async () => {
    const facts = {
      asOf: "2026-11-20T00:00:00Z",
      mentalHealthAssessments: [{ id: "MHA-1", requestedAt: "2026-11-01T00:00:00Z" }],
    };
    expect((await evaluate(facts)).data!.evaluateProtocol[0].dueBy).toBe("2026-11-08T00:00:00.000Z");
    expect((await evaluate(facts, "north-avonvale")).data!.evaluateProtocol[0].dueBy).toBe("2026-11-06T00:00:00.000Z");
  });

  it.each([
    [
      { asOf: "2026-11-10T00:00:00Z", missingEpisodes: [{ ...episode, foundAt: "2026-11-03T10:00:00Z" }] },
      "facts.missingEpisodes[0].foundAt",
      /found .* before it was reported/,
    ],
    [
      {
        asOf: "2026-11-10T00:00:00Z",
        missingEpisodes: [episode],
        returnInterviews: [{ episodeId: "ME-404", heldAt: "2026-11-05T10:00:00Z" }],
      },
      "facts.returnInterviews[0].episodeId",
      /ME-404.*not among the missing episodes given/,
    ],
    [
      {
        asOf: "2026-11-10T00:00:00Z",
        strategyDiscussions: [{ heldAt: "2026-11-05T10:00:00Z", minutesSharedAt: "2026-11-04T10:00:00Z" }],
      },
      "facts.strategyDiscussions[0].minutesSharedAt",
      /before it was held/,
    ],
    [{ asOf: "next Tuesday" }, "facts.asOf", /must be a date and time with a time zone/],
    [
      { asOf: "2026-11-10T00:00:00Z", policeProtection: [{ startedAt: "2026-11-10" }] },
      "facts.policeProtection[0].startedAt",
      /must be a date and time/,
    ],
  ])("refuses inconsistent facts %#", async (facts, field, message) => {
    const result = await evaluate(facts);
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toEqual({ code: "BAD_USER_INPUT", field });
    expect(result.errors![0].message).toMatch(message);
  });

  it("refuses an unknown area, naming the known ones", async () => {
    const result = await evaluate({ asOf: "2026-11-10T00:00:00Z" }, "south-avonvale");
    expect(result.errors![0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "area" });
    expect(result.errors![0].message).toBe(
      'No protocol configuration is held for the area "south-avonvale". Known areas: default, north-avonvale.',
    );
  });
});

describe("the demo child's live protocol flags (999 000 0018)", () => {
  it("shows the steps the case review found missed, with the area's configuration", async () => {
    const protocol = await protocolOf("999 000 0018");
    expect(protocol).toMatchObject({
      area: "north-avonvale",
      configuration: "north-avonvale",
      complete: true,
      notEvaluated: [],
      missingFacts: [],
      dataProblems: [],
    });
    const flags = protocol.flags;
    const find = (rule: string, evidence?: string) =>
      flags.filter((f) => f.rule === rule && (!evidence || f.evidence.includes(evidence)));

    const meetingOrDiscussion = flags.filter(
      (f) => (f.rule === "RISK_MANAGEMENT_MEETING" || f.rule === "STRATEGY_DISCUSSION") && f.status === "OVERDUE",
    );
    expect(meetingOrDiscussion.length).toBeGreaterThan(0);
    expect(find("RISK_MANAGEMENT_MEETING")).toEqual([
      expect.objectContaining({ status: "OVERDUE", evidence: ["ME-0018-02", "ME-0018-03", "ME-0018-04"] }),
    ]);
    // The night she was held at a police station.
    expect(find("SENIOR_MANAGER_NOTIFICATION")).toEqual([
      expect.objectContaining({ status: "OVERDUE", evidence: ["ME-0018-02"] }),
    ]);
    expect(find("MENTAL_HEALTH_ESCALATION")).toEqual([
      expect.objectContaining({ status: "OVERDUE", evidence: ["MHA-0018-01"] }),
    ]);
    expect(find("STRATEGY_MINUTES_SHARING")).toEqual([
      expect.objectContaining({ status: "OVERDUE", evidence: ["SD-0018-02"] }),
    ]);
    expect(find("RETURN_INTERVIEW").map((f) => f.evidence[0])).toEqual(["ME-0018-03", "ME-0018-04"]);
    // Today's episode is high risk with CSE indicators; its strategy discussion is due within 24 hours.
    expect(find("STRATEGY_DISCUSSION", "ME-0018-05")).toEqual([expect.objectContaining({ status: "DUE" })]);

    const dueTimes = flags.map((f) => Date.parse(f.dueBy));
    expect(dueTimes).toEqual([...dueTimes].sort((a, b) => a - b));
    for (const flag of flags) expect(flag.reason).toMatch(/^[A-Z].*\.$/);
  });

  it("uses North Avonvale's 5-day mental-health escalation, from the request time health holds", async () => {
    const health = await cluster.query(
      `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { health { mentalHealthAssessments { id requestedAt } } } }`,
    );
    const requestedAt = Date.parse(health.data.child.health.mentalHealthAssessments[0].requestedAt);
    const flag = (await protocolOf(DEMO_CHILD)).flags.find((f) => f.rule === "MENTAL_HEALTH_ESCALATION")!;
    expect(Date.parse(flag.dueBy) - requestedAt).toBe(5 * 86_400_000);
  });
});

describe("the out-of-hours action card", () => {
  it("gives who, legal status, where to go, who to call, risks and decisions, each with its source agency", async () => {
    const card = await cardOf(DEMO_CHILD);
    expect(Object.keys(card)).toEqual([
      "generatedAt",
      "child",
      "legalStatus",
      "whereToReturn",
      "whoToCall",
      "risks",
      "decisions",
      "ifChildRefuses",
      "record",
      "gaps",
    ]);

    expect(card.child).toMatchObject({
      nhsNumber: "999 000 0018",
      name: "Amber Whitlock",
      knownAs: "Ambs",
      ageYears: 13,
      source: { agency: "SOCIAL_CARE" },
    });
    expect(Date.parse(card.child.asOf)).not.toBeNaN();

    expect(card.legalStatus).toMatchObject({
      code: "C1",
      name: "Interim care order",
      glossaryTermId: "interim-care-order",
      source: { agency: "SOCIAL_CARE" },
    });
    expect(card.legalStatus.whoDecidesWhereChildLives).toMatch(/local authority .* decides where Amber lives/);
    expect(card.legalStatus.meaning).toMatch(/council .* decides where the child lives/);
    expect(card.legalStatus.officerMust.join(" ")).toMatch(
      /Arrange the child's return to the placement or other place the council directs/,
    );
    expect(card.legalStatus.officerMust.join(" ")).not.toMatch(/Return a found child|Use police protection/);
    expect(card.legalStatus.officerMustNot.join(" ")).toMatch(/police station is not suitable accommodation/);
    expect(card.legalStatus.officerMustNot.join(" ")).toMatch(/Do not hand the child to a parent/);

    expect(card.whereToReturn.childMissing).toBe(true);
    expect(card.whereToReturn.returnTo.text).toMatch(/^Orchard Lane children's home/);
    expect(card.whereToReturn.placement).toMatchObject({
      address: "14 Orchard Lane, Avonvale AV3 2QT",
      source: { agency: "SOCIAL_CARE" },
    });
    expect(card.whereToReturn.doNotReturnTo.map((d: { text: string }) => d.text)).toEqual([
      "Her mother's address: the court allows supervised contact only",
      "Any address linked to the adult men named in the CSE investigation",
    ]);
    expect(card.whereToReturn.withheld).toBeNull();

    // The named on-call manager first, and EDT still told.
    expect(card.whoToCall[1].note).toMatch(/Tell EDT as well, even once the on-call manager has decided/);
    expect(card.whoToCall.map((c: any) => [c.order, c.role, c.name, c.phone, c.source.agency])).toEqual([
      [1, "Named on-call manager", "Fiona Castell", "07700 900 461", "SOCIAL_CARE"],
      [2, "Emergency Duty Team", "Avonvale Emergency Duty Team", "01632 960 999", "SOCIAL_CARE"],
      [3, "EDT's legal advice", "Out-of-hours legal advice for EDT", "01632 960 118", "SOCIAL_CARE"],
      [4, "CAMHS crisis line", "Avonvale CAMHS crisis line", "0808 157 0520", "HEALTH"],
      [5, "Placement (night staff)", "Orchard Lane children's home", "01632 960 233", "SOCIAL_CARE"],
    ]);

    const kinds = card.risks.map((r: { kind: string }) => r.kind);
    expect(kinds[0]).toBe("MISSING_NOW");
    expect(kinds).toContain("CSE_CONCERN");
    expect(kinds.filter((k: string) => k === "WARNING_MARKER")).toHaveLength(3);
    expect(kinds.filter((k: string) => k === "PROTOCOL_FLAG").length).toBeGreaterThanOrEqual(5);
    const cse = card.risks.find((r: any) => r.kind === "CSE_CONCERN");
    expect(cse.source).toEqual({ agency: "POLICE", system: expect.any(String), department: "Child Exploitation Team" });

    // Only decisions that apply out of hours, newest first.
    expect(card.decisions.map((d: { text: string }) => d.text)).toEqual([
      expect.stringMatching(/^If Amber is found out of hours, return her to Orchard Lane/),
      expect.stringMatching(/^A police station is not suitable accommodation for Amber/),
    ]);
    expect(card.gaps).toEqual([]);

    // If she will not go back: no general power to make her, the lawful options, whom to call; from the glossary.
    expect(card.ifChildRefuses.glossaryTermId).toBe("police-powers-to-return-or-hold-a-child");
    expect(card.ifChildRefuses.summary).toMatch(/no general power/);
    expect(card.ifChildRefuses.summary).toMatch(/police protection .* recovery order/);
    expect(card.ifChildRefuses.officerMustNot.join(" ")).toMatch(/station/);
    expect(card.ifChildRefuses.call.join(" ")).toMatch(/Emergency Duty Team/);
    // What to record, with the reference the officer gave and the open episode.
    expect(card.record.join(" ")).toMatch(/Amber's wishes/);
    expect(card.record.join(" ")).toMatch(/Who decided where Amber went/);
    expect(card.record.at(-1)).toMatch(/^The reference to quote: TEST-0001 and police episode ME-/);

    // Every item on the card names one of the three agencies.
    const items: any[] = [
      card.child,
      card.legalStatus,
      card.whereToReturn.missingEpisode,
      card.whereToReturn.returnTo,
      card.whereToReturn.placement,
      ...card.whereToReturn.doNotReturnTo,
      card.whereToReturn.notes,
      ...card.whoToCall,
      ...card.risks,
      ...card.decisions,
    ];
    for (const item of items) {
      expect(["POLICE", "SOCIAL_CARE", "HEALTH"]).toContain(item.source.agency);
      expect(Date.parse(item.asOf)).not.toBeNaN();
    }
  });

  it("withholds the placement address from police once the child was found more than 24 hours ago", async () => {
    const episode = await write(
      "reportMissing",
      {
        childId: JAYDEN,
        reportedAt: minutesAgo(30 * 60),
        reportedBy: "Owen Pryce, foster carer",
        lastSeenAt: minutesAgo(31 * 60),
        lastSeenLocation: "Market Street",
        riskLevel: "LOW",
        cseIndicators: false,
        department: "Control Room",
      },
      "id",
    );
    await write("recordFound", {
      episodeId: episode.id,
      foundAt: minutesAgo(25 * 60),
      foundLocation: "Market Street",
      foundBy: "PC 2231 Ana Ruiz",
      returnedTo: "PLACEMENT",
    });
    const result = await cluster.query(ACTION_CARD, { id: JAYDEN }, { as: "response-officer" });
    const card = result.data.child.actionCard;
    expect(card.whereToReturn).toMatchObject({ childMissing: false, recentlyFound: null, placement: null });
    expect(card.whereToReturn.withheld).toMatch(/not recorded as missing or found in the last 24 hours/);
  });

  it("shows the placement address while a missing episode is open and for 24 hours after the child is found", async () => {
    const before = await cardOf(JAYDEN);
    expect(before.whereToReturn).toMatchObject({
      childMissing: false,
      placement: null,
      returnTo: null,
      missingEpisode: null,
    });
    expect(before.whereToReturn.withheld).toMatch(
      /Jayden is not recorded as missing or found in the last 24 hours, so the placement address is not shown/,
    );
    // It sends the officer to the council, never tells them to report the child found first.
    expect(before.whereToReturn.withheld).toMatch(/Ask EDT or the on-call manager where Jayden should go/);
    expect(before.whereToReturn.withheld).not.toMatch(/report it/i);
    expect(JSON.stringify(before)).not.toMatch(/Linden Road/);

    const episode = await write(
      "reportMissing",
      {
        childId: JAYDEN,
        reportedAt: minutesAgo(30),
        reportedBy: "Owen Pryce, foster carer",
        lastSeenAt: minutesAgo(90),
        lastSeenLocation: "Linden Road",
        riskLevel: "MEDIUM",
        cseIndicators: false,
        department: "Control Room",
      },
      "id",
    );
    const missing = await cardOf(JAYDEN);
    expect(missing.whereToReturn).toMatchObject({
      childMissing: true,
      withheld: null,
      placement: { address: "5 Linden Road, Avonvale AV1 4HD", source: { agency: "SOCIAL_CARE" } },
    });
    expect(missing.risks[0]).toMatchObject({ kind: "MISSING_NOW", source: { agency: "POLICE" } });

    await write("recordFound", {
      episodeId: episode.id,
      foundAt: minutesAgo(5),
      foundLocation: "Bus station",
      foundBy: "PC 1180 Sam Reid",
      returnedTo: "PLACEMENT",
    });
    // Found five minutes ago: police may still be taking him back tonight, so the address stays on the card.
    const after = await cardOf(JAYDEN);
    expect(after.whereToReturn).toMatchObject({
      childMissing: false,
      withheld: null,
      recentlyFound: {
        text: expect.stringMatching(/^Found .*; taken to the placement\.$/),
        source: { agency: "POLICE" },
      },
      placement: { address: "5 Linden Road, Avonvale AV1 4HD" },
    });
    // A response officer, who sees the address only on the condition, sees it that night too.
    const officer = await cluster.query(ACTION_CARD, { id: JAYDEN }, { as: "response-officer" });
    expect(officer.errors).toBeUndefined();
    expect(officer.data.child.actionCard.whereToReturn.placement.address).toBe("5 Linden Road, Avonvale AV1 4HD");
    // And the protocol now expects a return interview for that episode.
    const flags = (await protocolOf(JAYDEN)).flags.filter((f) => f.evidence.includes(episode.id));
    expect(flags).toEqual([
      expect.objectContaining({ rule: "RETURN_INTERVIEW", status: "DUE", evidence: [episode.id] }),
    ]);
  });

  it("lists the protocol's open flags among the card's risks", async () => {
    const result = await cluster.query(
      `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { protocol { flags { rule } } actionCard { risks { kind } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const flags = result.data.child.protocol.flags.length;
    expect(result.data.child.actionCard.risks.filter((r: { kind: string }) => r.kind === "PROTOCOL_FLAG")).toHaveLength(
      flags,
    );
  });
});

describe("recording the missed steps closes the demo child's flags", () => {
  it("senior-manager notification, risk-management meeting, return interviews, minutes, assessment and strategy discussion", async () => {
    const before = await protocolOf(DEMO_CHILD);
    const rules = (flags: Flag[]) => flags.map((f) => `${f.rule}:${f.evidence.join(",")}`);
    expect(rules(before.flags)).toContain("SENIOR_MANAGER_NOTIFICATION:ME-0018-02");

    await write("recordSeniorManagerNotification", {
      episodeId: "ME-0018-02",
      notifiedAt: minutesAgo(10),
      seniorManager: "Fiona Castell, service manager",
      recordedBy: "PS 1102 Amy Clarke",
    });
    expect(rules((await protocolOf(DEMO_CHILD)).flags)).not.toContain("SENIOR_MANAGER_NOTIFICATION:ME-0018-02");

    await write("recordRiskManagementMeeting", {
      childId: DEMO_CHILD,
      heldAt: minutesAgo(5),
      chairedBy: "Graham Boateng, team manager",
      attendees: [
        { agency: "Children's Services", role: "Chair" },
        { agency: "Police", role: "Missing Persons Unit" },
        { agency: "Health", role: "CAMHS" },
      ],
      risks: [{ category: "CSE", description: "Groomed by adult men met online", level: "HIGH" }],
      protectiveFactors: ["Bespoke school timetable: seen daily"],
      actions: [{ action: "Chase the mental-health assessment", owner: "Leah Marsh", dueAt: daysAhead(2) }],
      nextReviewAt: daysAhead(14),
      strategyDiscussionNeeded: true,
      strategyDiscussionReason: "High risk with CSE indicators on the current episode.",
    });
    const afterMeeting = (await protocolOf(DEMO_CHILD)).flags;
    expect(afterMeeting.some((f) => f.rule === "RISK_MANAGEMENT_MEETING")).toBe(false);

    for (const episodeId of ["ME-0018-03", "ME-0018-04"]) {
      await write("recordReturnInterview", {
        childId: DEMO_CHILD,
        missingEpisodeId: episodeId,
        heldAt: minutesAgo(4),
        conductedBy: "Return interview worker",
      });
    }
    expect((await protocolOf(DEMO_CHILD)).flags.some((f) => f.rule === "RETURN_INTERVIEW")).toBe(false);

    await write("recordStrategyMinutesShared", {
      strategyDiscussionId: "SD-0018-02",
      sharedAt: minutesAgo(3),
      recordedBy: "Graham Boateng, team manager",
    });
    expect((await protocolOf(DEMO_CHILD)).flags.some((f) => f.rule === "STRATEGY_MINUTES_SHARING")).toBe(false);

    await write("updateMentalHealthAssessment", {
      assessmentId: "MHA-0018-01",
      status: "COMPLETED",
      completedAt: minutesAgo(2),
      outcomeSummary: "Assessed by the CAMHS crisis team.",
      updatedBy: "CAMHS duty clinician",
    });
    await write("recordStrategyDiscussion", {
      childId: DEMO_CHILD,
      heldAt: minutesAgo(1),
      chairedBy: "Graham Boateng, team manager",
      agenciesPresent: ["Children's Services", "Police", "CAMHS"],
      decisions: ["Seek a secure placement"],
      actions: [],
      minutesSharedAt: minutesAgo(1),
    });
    expect((await protocolOf(DEMO_CHILD)).flags).toEqual([]);
  });
});

describe("when an agency is down", () => {
  it("evaluates only the rules whose facts arrived, and says which facts are missing", async () => {
    await cluster.stopAgency("police");
    const result = await cluster.query(PROTOCOL, { id: DEMO_CHILD });
    const protocol = result.data.child.protocol;
    expect(protocol.complete).toBe(false);
    expect(protocol.notEvaluated).toEqual([
      "RETURN_INTERVIEW",
      "STRATEGY_DISCUSSION",
      "RISK_MANAGEMENT_MEETING",
      "SENIOR_MANAGER_NOTIFICATION",
      "POLICE_PROTECTION_LIMIT",
    ]);
    expect(protocol.missingFacts).toEqual(["missing episodes and police protection (police)"]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toEqual({ code: "AGENCY_UNAVAILABLE", agencies: ["POLICE"] });
    expect(result.errors![0].message).toMatch(/protocol check for 999 000 0018 is incomplete: police did not answer/);
    expect(JSON.stringify(result.errors)).not.toMatch(/127\.0\.0\.1|http:|ECONNREFUSED|stack/);
  });

  it("the action card withholds the address and lists what is missing", async () => {
    const result = await cluster.query(ACTION_CARD, { id: DEMO_CHILD });
    const card = result.data.child.actionCard;
    expect(card.whereToReturn).toMatchObject({ childMissing: false, placement: null });
    expect(card.whereToReturn.withheld).toMatch(/Police did not answer/);
    expect(card.gaps[0]).toMatch(
      // Unreachable, or (once the breaker has opened on the first failure) not asked while it is not answering.
      /police service (could not be reached|has not been answering .*), so this card is missing whether the child is missing now/,
    );
    expect(card.whoToCall[0]).toMatchObject({ role: "Named on-call manager", phone: "07700 900 461" });
    expect(result.errors![0].extensions).toEqual({ code: "AGENCY_UNAVAILABLE", agencies: ["POLICE"] });
  });
});

describe("a bad protocol configuration file", () => {
  it("stops the gateway at start-up, naming the file and the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "protocol-config-"));
    try {
      const defaults = readFileSync(join(repoRoot, "gateway/protocol/default.json"), "utf8");
      writeFileSync(join(dir, "default.json"), defaults);
      const area = JSON.parse(defaults);
      area.area = "west-avonvale";
      area.rules.RISK_MANAGEMENT_MEETING.windowDays = 0;
      writeFileSync(join(dir, "west-avonvale.json"), JSON.stringify(area));
      const gateway = spawn(process.execPath, [join(repoRoot, "gateway/dist/main.js")], {
        // A provider to trust: the gateway reads its discovery document before the protocol files.
        env: { ...process.env, GATEWAY_PORT: "0", PROTOCOL_CONFIG_DIR: dir, AUTH_ISSUER: cluster.issuer },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      gateway.stdout!.on("data", (chunk) => (output += chunk));
      gateway.stderr!.on("data", (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => gateway.on("exit", resolve));
      expect(code).toBe(1);
      expect(output).not.toMatch(/"event":"ready"/);
      expect(output).toMatch(
        /west-avonvale\.json: rules\.RISK_MANAGEMENT_MEETING\.windowDays: must be more than 0 days/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
