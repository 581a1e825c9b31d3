import { describe, expect, it } from "vitest";
import { loadGlossary } from "@safeguarding/glossary";
import { AgencyUnavailableError } from "../fetcher.js";
import { buildActionCard } from "./action-card.js";
import { loadProtocolConfigs } from "@safeguarding/protocol-engine";
import { PROTOCOL_CONFIG_DIR } from "../config.js";
import { evaluateLiveProtocol, type LiveChildRecord, type PoliceSection, type SocialCareSection } from "./live.js";

const configs = loadProtocolConfigs(PROTOCOL_CONFIG_DIR);
const now = new Date("2026-11-26T02:00:00Z");
const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
const police = { agency: "POLICE", system: "Police records", department: "Missing Persons Unit" } as const;
const care = { agency: "SOCIAL_CARE", system: "Case management", department: "Children's Services" } as const;

function record(overrides: Partial<LiveChildRecord> = {}): LiveChildRecord {
  const policeSection: PoliceSection = {
    source: police,
    missingEpisodes: [
      {
        id: "ME-1",
        status: "FOUND",
        reportedAt: ago(200),
        lastSeenAt: ago(201),
        lastSeenLocation: "Home",
        riskLevel: "MEDIUM",
        cseIndicators: false,
        foundAt: ago(190),
        returnedTo: "POLICE_STATION",
        seniorManagerNotifiedAt: null,
        recordedAt: ago(190),
        source: police,
      },
    ],
    policeProtection: [],
    cseConcerns: [],
    warningMarkers: [],
  };
  const socialCare: SocialCareSection = {
    source: care,
    legalStatus: null,
    childProtectionPlan: null,
    placement: {
      name: "Orchard Lane",
      address: "14 Orchard Lane",
      carer: "S Okoye",
      phone: "01632 960 233",
      recordedAt: ago(500),
      source: care,
    },
    onCallManager: null,
    outOfHoursPlan: null,
    decisions: [],
    strategyDiscussions: [],
    riskManagementMeetings: [],
    returnInterviews: [
      { id: "RI-1", missingEpisodeId: "ME-1", heldAt: ago(100) },
      { id: "RI-2", missingEpisodeId: "ME-typo", heldAt: ago(50) },
    ],
  };
  return {
    id: "9990000018",
    fetchedAt: now,
    identity: {
      id: "9990000018",
      nhsNumber: "999 000 0018",
      givenName: "Amber",
      familyName: "Whitlock",
      knownAs: null,
      dateOfBirth: "2013-08-21",
      ageYears: 13,
      knownTo: ["SOCIAL_CARE"],
      identitySources: [
        {
          nhsNumber: "9990000018",
          givenName: "Amber",
          familyName: "Whitlock",
          knownAs: null,
          dateOfBirth: "2013-08-21",
          recordedAt: new Date(ago(1000)),
          source: care,
          score: null,
        },
      ],
      identityDiscrepancies: [],
    },
    area: "somewhere-new",
    police: policeSection,
    socialCare,
    health: null,
    failed: [],
    ...overrides,
  };
}

describe("the protocol over live records", () => {
  it("leaves out a return interview for an episode police do not hold, and says so", () => {
    const protocol = evaluateLiveProtocol(record(), configs, now);
    expect(protocol.dataProblems).toEqual([
      expect.stringMatching(/"ME-typo", which is not among the missing episodes given \(ME-1\)/),
    ]);
    expect(protocol.flags.map((f) => `${f.rule} ${f.status} ${f.evidence}`)).toEqual([
      "SENIOR_MANAGER_NOTIFICATION OVERDUE ME-1",
    ]);
    // An area without its own file gets the default configuration.
    expect(protocol).toMatchObject({ area: "somewhere-new", configuration: "default", complete: true });
  });

  it("checks only the rules whose agencies answered", () => {
    const protocol = evaluateLiveProtocol(
      record({ socialCare: undefined, failed: [new AgencyUnavailableError("SOCIAL_CARE", "could not be reached")] }),
      configs,
      now,
    );
    expect(protocol.complete).toBe(false);
    expect(protocol.notEvaluated).toEqual([
      "RETURN_INTERVIEW",
      "STRATEGY_DISCUSSION",
      "RISK_MANAGEMENT_MEETING",
      "STRATEGY_MINUTES_SHARING",
    ]);
    expect(protocol.missingFacts).toEqual([
      "return interviews, strategy discussions and risk-management meetings (social care)",
    ]);
    expect(protocol.flags.map((f) => f.rule)).toEqual(["SENIOR_MANAGER_NOTIFICATION"]);
  });
});

describe("the action card", () => {
  const glossary = loadGlossary();

  it("withholds the placement address while no missing episode is open, and lists what social care have not recorded", () => {
    const live = record();
    const card = buildActionCard(live, evaluateLiveProtocol(live, configs, now), glossary, now);
    expect(card.whereToReturn).toMatchObject({ childMissing: false, placement: null, returnTo: null });
    expect(card.whereToReturn.withheld).toMatch(/^Amber is not recorded as missing/);
    expect(card.gaps).toEqual([
      expect.stringMatching(/no legal status/),
      expect.stringMatching(/no out-of-hours plan/),
      expect.stringMatching(/not named an on-call manager/),
    ]);
    expect(card.risks.map((r) => [r.kind, r.source.agency])).toEqual([["PROTOCOL_FLAG", "POLICE"]]);
  });

  it("shows the placement while an episode is open", () => {
    const live = record();
    live.police!.missingEpisodes.push({
      ...live.police!.missingEpisodes[0],
      id: "ME-2",
      status: "MISSING",
      reportedAt: ago(2),
      foundAt: null,
      returnedTo: null,
    });
    const card = buildActionCard(live, evaluateLiveProtocol(live, configs, now), glossary, now);
    expect(card.whereToReturn.placement).toMatchObject({ address: "14 Orchard Lane", source: care });
    expect(card.risks[0]).toMatchObject({ kind: "MISSING_NOW", source: police });
  });

  it("keeps the placement for 24 hours after the child is found, then withholds it", () => {
    const foundAt = (hours: number) => {
      const live = record();
      live.police!.missingEpisodes[0] = {
        ...live.police!.missingEpisodes[0],
        foundAt: ago(hours),
        recordedAt: ago(hours),
      };
      return buildActionCard(live, evaluateLiveProtocol(live, configs, now), glossary, now).whereToReturn;
    };
    expect(foundAt(23.9)).toMatchObject({
      childMissing: false,
      recentlyFound: { text: expect.stringMatching(/taken to a police station/), source: police },
      placement: { address: "14 Orchard Lane" },
      withheld: null,
    });
    expect(foundAt(24.1)).toMatchObject({ recentlyFound: null, placement: null });
  });

  it("says what to do if the child will not go back, and what to record with the reference given", () => {
    const live = record();
    const card = buildActionCard(live, evaluateLiveProtocol(live, configs, now), glossary, now, () => true, "INC-77");
    expect(card.ifChildRefuses).toMatchObject({
      glossaryTermId: "police-powers-to-return-or-hold-a-child",
      summary: expect.stringMatching(/no general power/),
    });
    expect(card.record).toHaveLength(4);
    expect(card.record.at(-1)).toBe("The reference to quote: INC-77.");
  });

  it("treats a declined assessment as answered when it was declined, and flags one still waiting", () => {
    const health = { agency: "HEALTH", system: "CAMHS records", department: "CAMHS" } as const;
    const assessment = (id: string, status: "DECLINED" | "REQUESTED", recordedAt: string) => ({
      id,
      requestedAt: ago(24 * 30),
      status,
      completedAt: null,
      recordedAt,
      source: health,
    });
    const live = record({
      health: {
        source: health,
        mentalHealthAssessments: [
          assessment("MHA-declined", "DECLINED", ago(24 * 20)),
          assessment("MHA-waiting", "REQUESTED", ago(24 * 30)),
        ],
        escalationRoute: null,
      },
    });
    const flags = evaluateLiveProtocol(live, configs, now).flags.filter((f) => f.rule === "MENTAL_HEALTH_ESCALATION");
    expect(flags.map((f) => f.evidence)).toEqual([["MHA-waiting"]]);
    expect(flags[0].status).toBe("OVERDUE");
  });
});
