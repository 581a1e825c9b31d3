import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster, writerFor } from "../support/cluster.js";
import { FULL_CHILD_QUERY } from "../support/queries.js";

const JAYDEN = "9990000026";
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const hoursAhead = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
const LONG = "x".repeat(2001);

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.close();
});

const record = async () => (await cluster.query(FULL_CHILD_QUERY, { id: JAYDEN })).data.child;

/** A refused write: BAD_USER_INPUT naming what to fix, no internals, and the record exactly as before. */
async function expectRefused(mutation: string, input: Record<string, unknown>, message: RegExp) {
  const before = await record();
  const result = await cluster.query(
    `mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { __typename } }`,
    { input },
    { as: writerFor(mutation) },
  );
  expect(result.errors, JSON.stringify(result)).toHaveLength(1);
  expect(result.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
  expect(result.errors![0].message).toMatch(message);
  expect(JSON.stringify(result.errors)).not.toMatch(/127\.0\.0\.1|http:|stack|SQL|sqlite|postgres/i);
  expect(await record()).toEqual(before);
}

async function write<T = any>(mutation: string, input: Record<string, unknown>, selection: string): Promise<T> {
  const result = await cluster.query(
    `mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { ${selection} } }`,
    { input },
    { as: writerFor(mutation) },
  );
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data[mutation];
}

describe("police writes through the gateway", () => {
  const report = {
    childId: JAYDEN,
    reportedAt: hoursAgo(3),
    reportedBy: "Owen Pryce, foster carer",
    lastSeenAt: hoursAgo(5),
    lastSeenLocation: "Linden Road",
    riskLevel: "MEDIUM",
    cseIndicators: false,
    department: "Control Room",
  };

  it.each([
    [{ ...report, childId: "9990000077" }, /No child with NHS number 9990000077 is known to police/],
    [{ ...report, reportedAt: hoursAhead(2) }, /reportedAt .* is in the future/],
    [{ ...report, lastSeenAt: hoursAgo(1) }, /reportedAt .* is before lastSeenAt/],
    [{ ...report, lastSeenLocation: "  " }, /lastSeenLocation is empty/],
    [{ ...report, circumstances: LONG }, /circumstances is 2001 characters long; the limit is 2000/],
  ])("reportMissing refuses %#", async (input, message) => {
    await expectRefused("reportMissing", input, message);
  });

  it("reports a child missing, then records them found at a police station and the senior-manager call", async () => {
    const episode = await write("reportMissing", report, "id status riskLevel");
    expect(episode.status).toBe("MISSING");
    await expectRefused("reportMissing", report, /already reported missing/);
    const found = {
      episodeId: episode.id,
      foundAt: hoursAgo(1),
      foundLocation: "Bus station",
      foundBy: "PC 1180 Sam Reid",
      returnedTo: "POLICE_STATION",
      heldAtPoliceStationMinutes: 45,
    };
    await expectRefused(
      "recordFound",
      { ...found, foundAt: hoursAgo(4) },
      /foundAt .* is before the time the child was reported missing/,
    );
    await expectRefused(
      "recordFound",
      { ...found, episodeId: "no-such-episode" },
      /No missing episode has id no-such-episode/,
    );
    await expectRefused(
      "recordFound",
      { ...found, heldAtPoliceStationMinutes: -5 },
      /heldAtPoliceStationMinutes must be between/,
    );
    await expectRefused(
      "recordFound",
      { ...found, returnedTo: "PLACEMENT" },
      /applies only when returnedTo is POLICE_STATION/,
    );
    const closed = await write("recordFound", found, "status returnedTo heldAtPoliceStationMinutes");
    expect(closed).toEqual({ status: "FOUND", returnedTo: "POLICE_STATION", heldAtPoliceStationMinutes: 45 });
    await expectRefused("recordFound", found, /already closed/);
    const notified = await write(
      "recordSeniorManagerNotification",
      {
        episodeId: episode.id,
        notifiedAt: hoursAgo(0.5),
        seniorManager: "Fiona Castell",
        recordedBy: "PS 22 Ann Cole",
      },
      "seniorManagerNotifiedAt seniorManagerNotified",
    );
    expect(notified.seniorManagerNotified).toBe("Fiona Castell");
    const after = await record();
    expect(after.police.missingEpisodes[0]).toMatchObject({
      id: episode.id,
      status: "FOUND",
      returnedTo: "POLICE_STATION",
    });
  });
});

describe("social-care writes through the gateway", () => {
  it("records a legal status, ending the current one", async () => {
    const input = {
      childId: JAYDEN,
      code: "C1",
      startedAt: hoursAgo(2),
      court: "Family Court sitting at Avonvale",
      conditions: "No contact with his uncle.",
      whoDecidesWhereChildLives: "The local authority.",
      recordedBy: "Aisha Karim",
    };
    await expectRefused("recordLegalStatus", { ...input, court: null }, /made by a court: name the court/);
    await expectRefused("recordLegalStatus", { ...input, startedAt: hoursAhead(1) }, /startedAt .* is in the future/);
    await expectRefused(
      "recordLegalStatus",
      { ...input, whoDecidesWhereChildLives: "" },
      /whoDecidesWhereChildLives is empty/,
    );
    await expectRefused(
      "recordLegalStatus",
      { ...input, childId: "9990000069" },
      /No child with NHS number 9990000069 is known to children's social care/,
    );
    await write("recordLegalStatus", input, "code");
    const after = await record();
    expect(after.socialCare.legalStatus.code).toBe("C1");
    expect(after.socialCare.legalStatusHistory.find((s: any) => s.code === "V2").endedAt).not.toBeNull();
  });

  it("replaces the out-of-hours plan", async () => {
    const input = {
      childId: JAYDEN,
      returnTo: "Foster home, 5 Linden Road",
      doNotReturnTo: ["His uncle's flat"],
      whoToCall: [{ name: "Fiona Castell", role: "On-call manager", phone: "07700 900 461" }],
      legalAdviceRoute: "EDT via the duty solicitor",
      updatedBy: "Aisha Karim",
    };
    await expectRefused("updateOutOfHoursPlan", { ...input, whoToCall: [] }, /whoToCall is empty/);
    await expectRefused(
      "updateOutOfHoursPlan",
      { ...input, whoToCall: [{ name: "X", role: "Y", phone: "" }] },
      /whoToCall\[0\]\.phone is empty/,
    );
    await expectRefused(
      "updateOutOfHoursPlan",
      { ...input, legalAdviceRoute: LONG },
      /legalAdviceRoute is 2001 characters long/,
    );
    const plan = await write("updateOutOfHoursPlan", input, "returnTo updatedBy");
    expect(plan.returnTo).toBe("Foster home, 5 Linden Road");
    expect((await record()).socialCare.outOfHoursPlan.doNotReturnTo).toEqual(["His uncle's flat"]);
  });

  it("records a decision for out-of-hours staff", async () => {
    const input = {
      childId: JAYDEN,
      decision: "Return to foster home only.",
      decidedBy: "Fiona Castell",
      decidedAt: hoursAgo(1),
      appliesOutOfHours: true,
    };
    await expectRefused("recordDecision", { ...input, decidedAt: hoursAhead(3) }, /decidedAt .* is in the future/);
    await expectRefused("recordDecision", { ...input, decision: "" }, /decision is empty/);
    await write("recordDecision", input, "id");
    expect((await record()).socialCare.decisions[0].decision).toBe("Return to foster home only.");
  });

  it("records a strategy discussion and when its minutes were shared", async () => {
    const input = {
      childId: JAYDEN,
      heldAt: hoursAgo(5),
      chairedBy: "Graham Boateng",
      agenciesPresent: ["Children's Services", "Police"],
      decisions: ["Section 47 enquiry"],
      actions: [{ action: "Visit", owner: "Aisha Karim", dueAt: hoursAhead(24) }],
    };
    await expectRefused(
      "recordStrategyDiscussion",
      { ...input, agenciesPresent: ["Children's Services"] },
      /at least two agencies/,
    );
    await expectRefused(
      "recordStrategyDiscussion",
      { ...input, actions: [{ action: "Visit", owner: "A", dueAt: hoursAgo(6) }] },
      /actions\[0\]\.dueAt .* is before the meeting time/,
    );
    await expectRefused(
      "recordStrategyDiscussion",
      { ...input, minutesSharedAt: hoursAgo(6) },
      /minutesSharedAt .* is before heldAt/,
    );
    const discussion = await write("recordStrategyDiscussion", input, "id minutesSharedAt");
    expect(discussion.minutesSharedAt).toBeNull();
    await expectRefused(
      "recordStrategyMinutesShared",
      { strategyDiscussionId: discussion.id, sharedAt: hoursAgo(6), recordedBy: "GB" },
      /sharedAt .* is before the time the discussion was held/,
    );
    await write(
      "recordStrategyMinutesShared",
      { strategyDiscussionId: discussion.id, sharedAt: hoursAgo(1), recordedBy: "GB" },
      "minutesSharedAt",
    );
    await expectRefused(
      "recordStrategyMinutesShared",
      { strategyDiscussionId: discussion.id, sharedAt: hoursAgo(1), recordedBy: "GB" },
      /already shared/,
    );
  });

  it("records a risk-management meeting in the standard format", async () => {
    const input = {
      childId: JAYDEN,
      heldAt: hoursAgo(2),
      chairedBy: "Graham Boateng",
      attendees: [
        { agency: "Police", role: "Missing persons coordinator" },
        { agency: "Children's Services", role: "Social worker", name: "Aisha Karim" },
      ],
      risks: [{ category: "Going missing", description: "Stays out overnight", level: "MEDIUM" }],
      protectiveFactors: ["Close to his foster carers"],
      actions: [{ action: "Review the trigger plan", owner: "Aisha Karim", dueAt: hoursAhead(48) }],
      nextReviewAt: hoursAhead(24 * 14),
      strategyDiscussionNeeded: false,
      strategyDiscussionReason: "No sign of exploitation.",
    };
    await expectRefused("recordRiskManagementMeeting", { ...input, attendees: [] }, /attendees is empty/);
    await expectRefused("recordRiskManagementMeeting", { ...input, risks: [] }, /risks is empty/);
    await expectRefused(
      "recordRiskManagementMeeting",
      { ...input, nextReviewAt: hoursAgo(3) },
      /nextReviewAt must be after heldAt/,
    );
    await expectRefused(
      "recordRiskManagementMeeting",
      { ...input, strategyDiscussionReason: " " },
      /strategyDiscussionReason is empty/,
    );
    await write("recordRiskManagementMeeting", input, "id");
    expect((await record()).socialCare.riskManagementMeetings).toHaveLength(1);
  });

  it("records a return home interview once per episode", async () => {
    const input = {
      childId: JAYDEN,
      missingEpisodeId: "ME-0026-01",
      heldAt: hoursAgo(20),
      conductedBy: "Return interview worker",
    };
    await expectRefused("recordReturnInterview", { ...input, heldAt: hoursAhead(1) }, /heldAt .* is in the future/);
    await write("recordReturnInterview", input, "id");
    await expectRefused("recordReturnInterview", input, /already recorded/);
  });
});

describe("health writes through the gateway", () => {
  it("records a CAMHS referral", async () => {
    const input = {
      childId: JAYDEN,
      referredAt: hoursAgo(3),
      referredBy: "Dr Carver, GP",
      reason: "Low mood",
      urgency: "URGENT",
    };
    await expectRefused(
      "recordCamhsReferral",
      { ...input, referredAt: hoursAhead(2) },
      /referredAt .* is in the future/,
    );
    await expectRefused(
      "recordCamhsReferral",
      { ...input, childId: "9990000069" },
      /No child with NHS number 9990000069 is known/,
    );
    await expectRefused("recordCamhsReferral", { ...input, reason: LONG }, /reason is 2001 characters long/);
    await write("recordCamhsReferral", input, "id status");
  });

  it("requests a mental-health assessment and completes it", async () => {
    const input = {
      childId: JAYDEN,
      requestedAt: hoursAgo(30),
      requestedBy: "Aisha Karim, social worker",
      reason: "Placement decision waits on it",
    };
    await expectRefused("requestMentalHealthAssessment", { ...input, requestedBy: "" }, /requestedBy is empty/);
    const requested = await write("requestMentalHealthAssessment", input, "id status");
    expect(requested.status).toBe("REQUESTED");
    const done = {
      assessmentId: requested.id,
      status: "COMPLETED",
      completedAt: hoursAgo(1),
      outcomeSummary: "No acute risk; follow up in clinic.",
      updatedBy: "CAMHS duty clinician",
    };
    await expectRefused("updateMentalHealthAssessment", { ...done, completedAt: null }, /completedAt/);
    await expectRefused("updateMentalHealthAssessment", { ...done, completedAt: hoursAgo(40) }, /completedAt/);
    await expectRefused("updateMentalHealthAssessment", { ...done, assessmentId: "nope" }, /nope/);
    await write("updateMentalHealthAssessment", done, "status completedAt");
    const after = await record();
    expect(after.health.mentalHealthAssessments.find((a: any) => a.id === requested.id).status).toBe("COMPLETED");
    await expectRefused(
      "updateMentalHealthAssessment",
      { ...done, status: "DECLINED", completedAt: null, outcomeSummary: null },
      /cannot be changed|already/i,
    );
  });
});
