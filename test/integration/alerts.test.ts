import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isOutOfHours, loadAlertConfigs } from "@safeguarding/alerts-subgraph";
import { findDemoUser } from "@safeguarding/shared/demo-users";
import { allocateSocialWorker, DEMO_CHILD, freePort, startCluster, type Cluster } from "../support/cluster.js";

/**
 * Alerts end to end (issue 12): a police write through the gateway, its event in the police outbox, the relay, the
 * alerts service, and the recipient's myAlerts through the gateway. Over the embedded transport (HTTP to /events) and
 * over NATS JetStream with the broker stopped while the writes happen.
 */

const LEAH = findDemoUser("social-worker")!;
const ALERT_FIELDS = "id kind childId raisedAt summary reason sourceAgency acknowledgedAt acknowledgedBy escalatedTo";
const MY_ALERTS = `query($all: Boolean!) { myAlerts(unacknowledgedOnly: $all, first: 200) { ${ALERT_FIELDS} } }`;
const ACKNOWLEDGE = `mutation($id: ID!, $note: String) { acknowledgeAlert(id: $id, note: $note) { ${ALERT_FIELDS} } }`;

interface Alert {
  id: string;
  kind: string;
  childId: string;
  raisedAt: string;
  summary: string;
  reason: string;
  sourceAgency: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  escalatedTo: string[];
}

/** Times that only go forward and are never in the future: each found after the last report, each report after it. */
let last = 0;
const tick = () => {
  last = Math.max(last + 1, Date.now() - 1000);
  return new Date(last).toISOString();
};

async function myAlerts(cluster: Cluster, user: string, unacknowledgedOnly = true): Promise<Alert[]> {
  const result = await cluster.query<{ myAlerts: Alert[] }>(MY_ALERTS, { all: unacknowledgedOnly }, { as: user });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.myAlerts;
}

/** Waits for an alert matching `match` in the user's unacknowledged alerts; delivery is asynchronous. */
async function alertArrives(cluster: Cluster, user: string, match: (a: Alert) => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = (await myAlerts(cluster, user)).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No matching alert reached ${user} within ${ms} ms.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function write(cluster: Cluster, mutation: string, input: Record<string, unknown>) {
  const type = `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
  const result = await cluster.query<Record<string, { id: string }>>(
    `mutation($input: ${type}!) { ${mutation}(input: $input) { id } }`,
    { input },
    { as: "response-officer" },
  );
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data![mutation];
}

/** The demo child's open episode, from the police section of her record. */
async function openEpisode(cluster: Cluster): Promise<string | null> {
  const result = await cluster.query<{ child: { police: { missingEpisodes: { id: string; status: string }[] } } }>(
    `{ child(id: "${DEMO_CHILD}", purpose: { code: MISSING_EPISODE, reference: "TEST-ALERTS" }) { police { missingEpisodes { id status } } } }`,
    {},
    { as: "police-safeguarding" },
  );
  return result.data!.child.police.missingEpisodes.find((e) => e.status === "MISSING")?.id ?? null;
}

/** Records the child found if she is missing, then missing again: two events, FOUND then MISSING_REPORTED. */
async function foundThenMissing(cluster: Cluster, n: number) {
  const open = await openEpisode(cluster);
  const foundAt = tick();
  if (open)
    await write(cluster, "recordFound", {
      episodeId: open,
      foundAt,
      foundLocation: "Her placement's street",
      foundBy: `PC 4127 (run ${n})`,
      returnedTo: "PLACEMENT",
    });
  return write(cluster, "reportMissing", {
    childId: DEMO_CHILD,
    reportedAt: tick(),
    reportedBy: "Night carer at the placement",
    lastSeenAt: foundAt,
    lastSeenLocation: "Placement front door",
    riskLevel: "HIGH",
    cseIndicators: false,
    department: "Force Control Room",
  });
}

const outboxIds = (cluster: Cluster, agency: string) => {
  const store = new DatabaseSync(join(cluster.dataDir, `${agency}.db`), { readOnly: true });
  try {
    return store
      .prepare("SELECT id FROM outbox")
      .all()
      .map((r) => String(r.id));
  } finally {
    store.close();
  }
};

/**
 * What the stores hold: the police outbox's events, every event (police, social care and health) the alerts service
 * has not seen, alerts given twice to one person for one event, and Leah's alerts per police event (health's
 * escalation watch may also tell her that the demo child's overdue assessment needs escalating).
 */
function storeCounts(cluster: Cluster) {
  const outbox = outboxIds(cluster, "police");
  const careTeam = outboxIds(cluster, "social-care");
  const health = outboxIds(cluster, "health");
  const alerts = new DatabaseSync(join(cluster.dataDir, "alerts.db"), { readOnly: true });
  try {
    const seen = new Set(
      alerts
        .prepare("SELECT id FROM events_seen")
        .all()
        .map((r) => String(r.id)),
    );
    const doubled = alerts
      .prepare("SELECT event_id, recipient_email, COUNT(*) AS n FROM alerts GROUP BY 1, 2 HAVING COUNT(*) > 1")
      .all();
    const police = new Set(outbox);
    const leahPerEvent = alerts
      .prepare("SELECT event_id, COUNT(*) AS n FROM alerts WHERE recipient_email = ? GROUP BY 1")
      .all(LEAH.email)
      .filter((r) => police.has(String(r.event_id)));
    const missing = [...outbox, ...careTeam, ...health].filter((id) => !seen.has(id));
    return { outbox, missing, doubled, leahPerEvent };
  } finally {
    alerts.close();
  }
}

async function everyEventArrives(cluster: Cluster, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const counts = storeCounts(cluster);
    if (counts.missing.length === 0) return counts;
    if (Date.now() > deadline)
      throw new Error(`${counts.missing.length} of ${counts.outbox.length} events never reached the alerts service.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("alerts over the embedded transport (no NATS_URL)", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("reporting the demo child missing tells her social worker, and out of hours EDT and the on-call manager", async () => {
    const before = new Date();
    const episode = await foundThenMissing(cluster, 0);
    const alert = await alertArrives(cluster, "social-worker", (a) => a.kind === "MISSING_REPORTED");
    expect(alert).toMatchObject({
      childId: DEMO_CHILD,
      reason: "allocated social worker",
      sourceAgency: "POLICE",
      acknowledgedAt: null,
      acknowledgedBy: null,
      escalatedTo: [],
    });
    expect(alert.summary).toMatch(/999 000 0018/);
    expect(alert.summary).toMatch(/reported missing/);
    expect(new Date(alert.raisedAt).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(episode.id).toBeTruthy();

    // Who else is told depends on the hour in the child's area, as its configuration says.
    const outOfHours = isOutOfHours(loadAlertConfigs().forArea("north-avonvale"), new Date());
    const edt = (await myAlerts(cluster, "edt")).filter((a) => a.kind === "MISSING_REPORTED");
    const onCall = (await myAlerts(cluster, "on-call-manager")).filter((a) => a.kind === "MISSING_REPORTED");
    if (outOfHours) {
      expect(edt.map((a) => a.reason)).toEqual(["out of hours: EDT"]);
      expect(onCall.map((a) => a.reason)).toEqual(["out of hours: on-call manager"]);
    } else {
      expect(edt).toEqual([]);
      expect(onCall).toEqual([]);
    }
    // Nobody else sees it: not another social worker, not the officer who wrote it.
    expect(await myAlerts(cluster, "social-worker-unallocated")).toEqual([]);
    expect((await myAlerts(cluster, "response-officer")).filter((a) => a.kind === "MISSING_REPORTED")).toEqual([]);
  });

  it("refuses the auditor, who sees the alerts' audit trail but no alert", async () => {
    const result = await cluster.query(MY_ALERTS, { all: true }, { as: "auditor" });
    expect(result.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("acknowledges once, by the recipient only; a wrong id, someone else's alert or a second time change nothing", async () => {
    const alert = await alertArrives(cluster, "social-worker", (a) => a.kind === "MISSING_REPORTED");
    const refused = async (user: string, id: string, code: string, message: RegExp) => {
      const before = await myAlerts(cluster, "social-worker", false);
      const result = await cluster.query(ACKNOWLEDGE, { id, note: "Spoke to the carer." }, { as: user });
      expect(result.errors, JSON.stringify(result)).toHaveLength(1);
      expect(result.errors![0].extensions?.code).toBe(code);
      expect(result.errors![0].message).toMatch(message);
      expect(JSON.stringify(result.errors)).not.toMatch(/127\.0\.0\.1|http:|stack|SQL|sqlite/i);
      expect(await myAlerts(cluster, "social-worker", false)).toEqual(before);
    };
    await refused("social-worker", "00000000-0000-4000-8000-000000000000", "BAD_USER_INPUT", /No alert has id/);
    await refused("social-worker-unallocated", alert.id, "FORBIDDEN", /./);

    const result = await cluster.query<{ acknowledgeAlert: Alert }>(
      ACKNOWLEDGE,
      { id: alert.id, note: "Spoke to the carer; strategy discussion at 09:00." },
      { as: "social-worker" },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.acknowledgeAlert).toMatchObject({ id: alert.id, acknowledgedBy: LEAH.name });
    expect(result.data!.acknowledgeAlert.acknowledgedAt).not.toBeNull();
    await refused("social-worker", alert.id, "BAD_USER_INPUT", /already acknowledged/);

    expect((await myAlerts(cluster, "social-worker")).map((a) => a.id)).not.toContain(alert.id);
    const all = await myAlerts(cluster, "social-worker", false);
    expect(all.find((a) => a.id === alert.id)?.acknowledgedBy).toBe(LEAH.name);
  });

  it("loses and doubles nothing when the alerts service is killed mid-stream and started again", async () => {
    await cluster.stopAlerts("SIGKILL");
    for (let n = 1; n <= 5; n += 1) await foundThenMissing(cluster, n);
    // The relays keep the events in the agencies' outboxes and retry until the service answers again.
    expect(storeCounts(cluster).missing.length).toBeGreaterThanOrEqual(10);
    await cluster.startAlerts();
    const counts = await everyEventArrives(cluster, 30_000);
    expect(counts.doubled).toEqual([]);
    // One alert for Leah per police event about her child: MISSING_REPORTED and FOUND each tell her.
    expect(counts.leahPerEvent.length).toBe(counts.outbox.length);
    expect(counts.leahPerEvent.every((r) => Number(r.n) === 1)).toBe(true);
  });

  // Last in this cluster: the missing report here is about Jayden, so Leah gets no alert for it.
  it("a newly recorded social worker for Jayden is told when he is reported missing", async () => {
    const jayden = "9990000026";
    const sam = findDemoUser("social-worker-unallocated")!;
    await allocateSocialWorker(cluster, jayden, sam.id);
    // The care team travels on social care's relay and the report on the police's: let the first land first.
    await everyEventArrives(cluster, 10_000);

    const lastSeenAt = tick();
    await write(cluster, "reportMissing", {
      childId: jayden,
      reportedAt: tick(),
      reportedBy: "Owen Pryce, foster carer",
      lastSeenAt,
      lastSeenLocation: "Linden Road",
      riskLevel: "MEDIUM",
      cseIndicators: false,
      department: "Force Control Room",
    });
    const alert = await alertArrives(cluster, sam.id, (a) => a.kind === "MISSING_REPORTED" && a.childId === jayden);
    expect(alert).toMatchObject({ reason: "allocated social worker", sourceAgency: "POLICE" });
    expect(alert.summary).toMatch(/999 000 0026/);
  });
});

function startBroker(port: number, storeDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const broker = spawn("/usr/sbin/nats-server", ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let output = "";
    broker.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Server is ready")) resolve(broker);
    });
    broker.once("exit", (code) => reject(new Error(`nats-server exited with ${code}: ${output}`)));
  });
}

function stopBroker(broker: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (broker.exitCode !== null || broker.signalCode !== null) return resolve();
    broker.once("exit", () => resolve());
    broker.kill("SIGTERM");
  });
}

describe("alerts over NATS JetStream, with the broker stopped while police record 100 missing reports", () => {
  let cluster: Cluster;
  let broker: ChildProcess;
  let port: number;
  const storeDir = mkdtempSync(join(tmpdir(), "sg-nats-"));
  beforeAll(async () => {
    port = await freePort();
    broker = await startBroker(port, storeDir);
    const run = Math.random().toString(36).slice(2, 8);
    cluster = await startCluster({
      env: {
        NATS_URL: `nats://127.0.0.1:${port}`,
        NATS_STREAM: `SG_TEST_${run}`,
        NATS_SUBJECT_PREFIX: `sg-test-${run}.events`,
      },
    });
  });
  afterAll(async () => {
    await cluster?.close();
    if (broker) await stopBroker(broker);
    rmSync(storeDir, { recursive: true, force: true });
  });

  it("delivers every alert once after the broker comes back", { timeout: 120_000 }, async () => {
    // The seed's care-team events have come through the broker: the service knows the child's social worker.
    await everyEventArrives(cluster, 20_000);
    await stopBroker(broker);
    for (let n = 1; n <= 100; n += 1) await foundThenMissing(cluster, n);
    expect(storeCounts(cluster).missing.length).toBeGreaterThanOrEqual(100);

    broker = await startBroker(port, storeDir);
    const counts = await everyEventArrives(cluster, 60_000);
    expect(counts.doubled).toEqual([]);
    expect(counts.leahPerEvent.length).toBe(counts.outbox.length);
    expect(counts.leahPerEvent.every((r) => Number(r.n) === 1)).toBe(true);
    const missingReports = (await myAlerts(cluster, "social-worker")).filter((a) => a.kind === "MISSING_REPORTED");
    expect(missingReports.length).toBeGreaterThanOrEqual(100);
  });
});
