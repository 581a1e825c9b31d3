import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDemoUser } from "@safeguarding/shared/demo-users";
import { auditEntries } from "../support/audit.js";
import { allocateSocialWorker, DEMO_CHILD, startCluster, type Cluster } from "../support/cluster.js";

/**
 * PROTOCOL_OVERDUE end to end (issue 12): the gateway's protocol watch asks every agency which children it must keep
 * checking, evaluates their protocol as `child { protocol }` does, records an event in its own outbox for each step
 * gone overdue, and its relay carries it to the alerts service, which tells the allocated social worker. Through real
 * processes, with a watch that checks every 300 ms.
 */

const LEAH = findDemoUser("social-worker")!;
const SAM = findDemoUser("social-worker-unallocated")!;
const JAYDEN = "9990000026";
const MY_ALERTS = `{ myAlerts(first: 200) { id kind childId summary reason sourceAgency } }`;

interface Alert {
  id: string;
  kind: string;
  childId: string;
  summary: string;
  reason: string;
  sourceAgency: string;
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe("the protocol watch", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ env: { PROTOCOL_WATCH_MS: "300" } });
  });
  afterAll(async () => cluster?.close());

  async function overdue(user: string, childId: string): Promise<Alert[]> {
    const result = await cluster.query<{ myAlerts: Alert[] }>(MY_ALERTS, {}, { as: user });
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data!.myAlerts.filter((a) => a.kind === "PROTOCOL_OVERDUE" && a.childId === childId);
  }

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`Not there within ${ms} ms: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const passes = async () =>
    (await auditEntries(cluster, "gateway")).filter((e) => e.operation === "protocolWatch" && e.outcome === "OK");

  it("tells the demo child's allocated social worker of each step gone overdue, once however many passes run", async () => {
    // The demo seed leaves three watched steps overdue within the look-back: the risk-management meeting after her
    // third episode in 30 days, the return home interview after the last one, and the strategy discussion's minutes.
    const alerts = await until(
      () => overdue(LEAH.id, DEMO_CHILD),
      (found) => found.length >= 3,
    );
    const summaries = alerts.map((a) => a.summary).sort();
    expect(summaries).toEqual([
      expect.stringMatching(
        /^Amber Whitlock \(999 000 0018\): a return home interview was due by .+ and is not recorded\./,
      ),
      expect.stringMatching(/^Amber Whitlock \(999 000 0018\): a risk-management meeting was due by /),
      expect.stringMatching(/^Amber Whitlock \(999 000 0018\): sharing the strategy discussion's minutes was due by /),
    ]);
    for (const alert of alerts)
      expect(alert).toMatchObject({ reason: "allocated social worker", sourceAgency: "SOCIAL_CARE" });
    // Her unanswered mental-health request is health's to raise (MENTAL_HEALTH_ESCALATION_DUE), not the watch's.
    expect(alerts.some((a) => /mental-health/.test(a.summary))).toBe(false);

    // Five more passes (the gateway records each in its audit trail) raise nothing new.
    const seen = (await passes()).length;
    await until(passes, (entries) => entries.length >= seen + 5);
    expect((await overdue(LEAH.id, DEMO_CHILD)).map((a) => a.id).sort()).toEqual(alerts.map((a) => a.id).sort());
  });

  it("raises a step that falls overdue after a write: Jayden missing for 30 hours with signs of exploitation and no strategy discussion", async () => {
    await allocateSocialWorker(cluster, JAYDEN, SAM.id);
    expect(await overdue(SAM.id, JAYDEN)).toEqual([]);

    const reported = await cluster.query(
      `mutation($input: ReportMissingInput!) { reportMissing(input: $input) { id } }`,
      {
        input: {
          childId: JAYDEN,
          reportedAt: hoursAgo(30),
          reportedBy: "Owen Pryce, foster carer",
          lastSeenAt: hoursAgo(32),
          lastSeenLocation: "Linden Road",
          riskLevel: "MEDIUM",
          cseIndicators: true,
          department: "Force Control Room",
        },
      },
      { as: "response-officer" },
    );
    expect(reported.errors, JSON.stringify(reported.errors)).toBeUndefined();

    const [alert] = await until(
      () => overdue(SAM.id, JAYDEN),
      (found) => found.length > 0,
    );
    expect(alert).toMatchObject({ reason: "allocated social worker", sourceAgency: "SOCIAL_CARE" });
    expect(alert.summary).toMatch(
      /^Jayden .+ \(999 000 0026\): a strategy discussion was due by .+ and is not recorded\./,
    );
    // What made the discussion necessary (signs of exploitation) is on the record, never in the alert.
    expect(alert.summary).not.toMatch(/exploitation|CSE/i);
  });

  it("is attributable: each agency records the watch's reads, and the gateway the pass that raised an alert, under one request id", async () => {
    // Raised once, so exactly one pass names Jayden.
    const raisedJayden = (await passes()).filter((e) => e.childIds.includes(JAYDEN));
    expect(raisedJayden).toHaveLength(1);
    const [pass] = raisedJayden;
    expect(pass).toMatchObject({ userId: "gateway-protocol-watch", role: "PROTOCOL_WATCH", action: "READ" });
    for (const agency of ["police", "social-care", "health"] as const) {
      const reads = (await auditEntries(cluster, agency)).filter((e) => e.requestId === pass.requestId);
      expect(reads.length, agency).toBeGreaterThan(0);
      for (const read of reads)
        expect(read).toMatchObject({ userId: "gateway-protocol-watch", role: "PROTOCOL_WATCH" });
      expect(
        reads.flatMap((r) => r.childIds),
        agency,
      ).toEqual(expect.arrayContaining([DEMO_CHILD, JAYDEN]));
    }
    // A pass that raises nothing names no child in the gateway's trail: a child's access log is not filled with them.
    const seen = (await passes()).length;
    const [latest] = (await until(passes, (entries) => entries.length >= seen + 1)).slice(-1);
    expect(latest.childIds).toEqual([]);
  });
});
