import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { craftToken } from "../support/tokens.js";
import { DEMO_CHILD, PURPOSE, repoRoot, startCluster, type Cluster } from "../support/cluster.js";
import { auditEntries, entriesFor } from "../support/audit.js";

/** The audit trail end to end: real processes, real stores, the verify command as an operator runs it. */

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.close();
});

const READ = `query($id: ID!) {
  child(id: $id, purpose: { code: MISSING_EPISODE, reference: "INC-2026-004512", agreement: "Avonvale MASA 2025" }) {
    givenName
    police { missingEpisodes { id status } cseConcerns { summary } }
    socialCare { legalStatus { code } placement { address } }
    health { mentalHealthAssessments { status outcomeSummary } }
  }
}`;

async function read(as: string, requestId = `audit-${randomUUID()}`) {
  const result = await cluster.query(READ, { id: DEMO_CHILD }, { as, headers: { "x-request-id": requestId } });
  return { result, requestId };
}

function verify(...args: string[]): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, [join(repoRoot, "scripts/audit-verify.mjs"), ...args], {
    env: { ...process.env, DATA_DIR: cluster.dataDir },
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout + run.stderr };
}

describe("every read of a child's record", () => {
  it("leaves one linked set of entries: the gateway's and each agency's, under one request id", async () => {
    const { result, requestId } = await read("response-officer");
    expect(result.data.child.givenName).toBe("Amber");
    const entries = await entriesFor(cluster, requestId);
    const gateway = entries.filter((e) => e.service === "gateway");
    expect(gateway).toHaveLength(1);
    expect(gateway[0]).toMatchObject({
      action: "READ",
      operation: "child",
      userId: "demo:response-officer",
      role: "RESPONSE_OFFICER",
      purposeCode: "MISSING_EPISODE",
      purposeReference: "INC-2026-004512",
      childIds: [DEMO_CHILD],
      outcome: "PARTIAL",
    });
    expect(gateway[0].fieldsReturned).toEqual(expect.arrayContaining(["identity", "police", "socialCare", "health"]));
    expect(gateway[0].fieldsDenied).toEqual(["CseConcern.summary", "MentalHealthAssessment.outcomeSummary"]);
    // Each agency recorded what it disclosed and refused, under the same request id.
    for (const service of ["police", "social-care", "health"] as const) {
      const own = entries.filter((e) => e.service === service);
      expect(own.length, service).toBeGreaterThanOrEqual(1);
      for (const entry of own) expect(entry).toMatchObject({ action: "READ", role: "RESPONSE_OFFICER" });
      expect(own.some((e) => e.childIds.includes(DEMO_CHILD))).toBe(true);
    }
    const police = entries.filter((e) => e.service === "police").flatMap((e) => e.fieldsDenied);
    expect(police).toContain("CseConcern.summary");
    const socialCare = entries.filter((e) => e.service === "social-care").flatMap((e) => e.fieldsReturned);
    // The child is missing now, so the placement address was disclosed to the response officer, and recorded.
    expect(socialCare).toContain("Placement.address");
  });

  it("is in the child's access log for auditors, and in 'recently viewed by' for the allocated social worker", async () => {
    const { requestId } = await read("control-room");
    const log = await cluster.query(
      `{ accessLog(childId: "${DEMO_CHILD}") { requestId userName role organisation purpose { code reference agreement } sections fieldsDenied outcome } }`,
      {},
      { as: "auditor" },
    );
    expect(log.errors).toBeUndefined();
    const entry = log.data.accessLog.find((e: { requestId: string }) => e.requestId.startsWith(`${requestId}.`));
    expect(entry).toMatchObject({
      userName: "Priya Natt",
      role: "CONTROL_ROOM",
      organisation: "Avonvale Police, Force Control Room",
      purpose: { code: "MISSING_EPISODE", reference: "INC-2026-004512", agreement: "Avonvale MASA 2025" },
    });
    const viewed = await cluster.query(
      `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { recentlyViewedBy { userName role organisation at purpose { code reference } } } }`,
      {},
      { as: "social-worker" },
    );
    expect(viewed.errors).toBeUndefined();
    const views = viewed.data.child.recentlyViewedBy;
    expect(views.length).toBeLessThanOrEqual(25);
    expect(views[0]).toMatchObject({ userName: "Priya Natt", role: "CONTROL_ROOM" });
    // The unallocated social worker may not see who looked.
    const other = await cluster.query(
      `{ accessLog(childId: "${DEMO_CHILD}") { at } }`,
      {},
      {
        as: "social-worker-unallocated",
      },
    );
    expect(other.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", field: "Query.accessLog" });
  });

  it("records every child an aliased request reads, not only the first", async () => {
    const requestId = `audit-aliases-${randomUUID()}`;
    const result = await cluster.query(
      `{ a: child(id: "${DEMO_CHILD}", ${PURPOSE}) { givenName } b: child(id: "9990000026", ${PURPOSE}) { givenName police { source { agency } } } }`,
      {},
      { as: "edt", headers: { "x-request-id": requestId } },
    );
    expect(result.errors).toBeUndefined();
    const [gateway] = await auditEntries(cluster, "gateway", requestId);
    expect(gateway).toMatchObject({ operation: "child", childIds: [DEMO_CHILD, "9990000026"], outcome: "OK" });
    expect(gateway.fieldsReturned).toEqual(["identity", "police"]);
  });

  it("records a read made through fragments, with sections named by field whatever the aliases say", async () => {
    const requestId = `audit-fragments-${randomUUID()}`;
    const result = await cluster.query(
      `query { ... on Query { ...Read } }
       fragment Read on Query { child(id: "${DEMO_CHILD}", ${PURPOSE}) { givenName: health { gpPractice { name } } familyName: police { source { agency } } } }`,
      {},
      { as: "social-worker", headers: { "x-request-id": requestId } },
    );
    expect(result.errors).toBeUndefined();
    const [gateway] = await auditEntries(cluster, "gateway", requestId);
    expect(gateway).toMatchObject({ operation: "child", childIds: [DEMO_CHILD] });
    expect(gateway.fieldsReturned).toEqual(["health", "police"]);
  });

  it("refuses one request stating two purposes, so every look is recorded with its own", async () => {
    const result = await cluster.query(
      `{ a: child(id: "${DEMO_CHILD}", purpose: { code: EMERGENCY, reference: "INC-A" }) { id } b: child(id: "9990000026", purpose: { code: CARE_PLANNING, reference: "CASE-B" }) { id } }`,
      {},
      { as: "edt" },
    );
    expect(result.errors?.map((e) => e.extensions?.code)).toContain("BAD_USER_INPUT");
    expect(JSON.stringify(result.errors)).toMatch(/two different purposes/);
  });

  it("records name searches in each agency's trail with what was typed, even when nothing matched", async () => {
    const requestId = `audit-search-${randomUUID()}`;
    await cluster.query(
      `{ children(search: { name: "nobody-of-that-name" }, ${PURPOSE}) { id } }`,
      {},
      { as: "control-room", headers: { "x-request-id": requestId } },
    );
    const police = await auditEntries(cluster, "police", requestId);
    expect(police).toHaveLength(1);
    expect(police[0]).toMatchObject({ action: "READ", childIds: [] });
    const [gateway] = await auditEntries(cluster, "gateway", requestId);
    expect(gateway).toMatchObject({ action: "SEARCH", operation: "children" });
  });

  it("does not treat an email address the identity provider has not verified as the allocated social worker", async () => {
    // The allocated worker's own claims, under another subject, with the address verified or not.
    const claimed = (verified: boolean) =>
      craftToken(cluster, {
        user: "social-worker",
        claims: { sub: "someone-else", email_verified: verified },
      });
    const read = async (verified: boolean) =>
      cluster.query(
        `{ accessLog(childId: "${DEMO_CHILD}") { at } }`,
        {},
        {
          authorization: `Bearer ${await claimed(verified)}`,
        },
      );
    expect((await read(false)).errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", field: "Query.accessLog" });
    expect((await read(true)).errors).toBeUndefined();
  });

  it("refuses a time range that runs backwards, and filters by time", async () => {
    const bad = await cluster.query(
      `{ accessLog(childId: "${DEMO_CHILD}", from: "2026-12-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { at } }`,
      {},
      { as: "auditor" },
    );
    expect(bad.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const future = await cluster.query(
      `{ accessLog(childId: "${DEMO_CHILD}", from: "2099-01-01T00:00:00Z") { at } }`,
      {},
      { as: "auditor" },
    );
    expect(future.data.accessLog).toEqual([]);
  });
});

describe("every write", () => {
  it("records who, why and the values before and after, in the agency's trail and the gateway's", async () => {
    const requestId = `audit-write-${randomUUID()}`;
    // A child the police hold with no episode open now.
    let child = "";
    for (const id of ["9990000026", "9990000042", "9990000069"]) {
      const record = await cluster.query(
        `{ child(id: "${id}", ${PURPOSE}) { police { missingEpisodes { status } } } }`,
        {},
        { as: "police-safeguarding" },
      );
      const episodes: { status: string }[] = record.data.child.police.missingEpisodes;
      if (!episodes.some((e) => e.status === "MISSING")) child = id;
    }
    expect(child).not.toBe("");
    const reported = await cluster.query(
      `mutation($input: ReportMissingInput!) { reportMissing(input: $input) { id } }`,
      {
        input: {
          childId: child,
          reportedAt: new Date(Date.now() - 60_000).toISOString(),
          reportedBy: "Foster carer",
          lastSeenAt: new Date(Date.now() - 7_200_000).toISOString(),
          lastSeenLocation: "School gates",
          riskLevel: "HIGH",
          cseIndicators: false,
          department: "Response",
        },
      },
      { as: "control-room", headers: { "x-request-id": requestId } },
    );
    expect(reported.errors).toBeUndefined();
    const found = await cluster.query(
      `mutation($input: RecordFoundInput!) { recordFound(input: $input) { id status } }`,
      {
        input: {
          episodeId: reported.data.reportMissing.id,
          foundAt: new Date().toISOString(),
          foundLocation: "Bus station",
          foundBy: "PC 2290",
          returnedTo: "PLACEMENT",
        },
      },
      { as: "response-officer", headers: { "x-request-id": `${requestId}-found` } },
    );
    expect(found.errors).toBeUndefined();
    // The gateway's entry for recordFound names the child though the request gave only the episode id.
    const [foundAtGateway] = await auditEntries(cluster, "gateway", `${requestId}-found`);
    expect(foundAtGateway).toMatchObject({ operation: "recordFound", childIds: [child] });
    const [create] = await auditEntries(cluster, "police", requestId);
    expect(create).toMatchObject({ action: "WRITE", operation: "reportMissing", role: "CONTROL_ROOM", before: null });
    expect(create.childIds).toEqual([child]);
    expect(create.after).toMatchObject({ last_seen_location: "School gates", found_at: null });
    const [update] = await auditEntries(cluster, "police", `${requestId}-found`);
    expect(update).toMatchObject({ operation: "recordFound", role: "RESPONSE_OFFICER" });
    expect(update.before).toMatchObject({ found_at: null });
    expect(update.after).toMatchObject({ found_location: "Bus station", returned_to: "PLACEMENT" });
    const [gateway] = await auditEntries(cluster, "gateway", requestId);
    expect(gateway).toMatchObject({
      action: "WRITE",
      operation: "reportMissing",
      childIds: [child],
      outcome: "OK",
    });
  });

  it("records a refused write too, and changes nothing", async () => {
    const requestId = `audit-refused-${randomUUID()}`;
    const refused = await cluster.query(
      `mutation($input: RecordDecisionInput!) { recordDecision(input: $input) { id } }`,
      {
        input: {
          childId: DEMO_CHILD,
          decision: "Return to placement",
          decidedBy: "PC",
          decidedAt: new Date().toISOString(),
          appliesOutOfHours: true,
        },
      },
      { as: "response-officer", headers: { "x-request-id": requestId } },
    );
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", field: "Mutation.recordDecision" });
    const [entry] = await auditEntries(cluster, "social-care", requestId);
    expect(entry).toMatchObject({ action: "WRITE", outcome: "DENIED", fieldsDenied: ["Mutation.recordDecision"] });
  });
});

describe("npm run audit:verify", () => {
  it("passes on an untouched trail, then names the first broken link when one stored entry is altered", async () => {
    const clean = verify();
    expect(clean.status, clean.stdout).toBe(0);
    expect(clean.stdout).toMatch(/police\s+ok/);
    expect(clean.stdout).toMatch(/gateway\s+ok/);
    expect(clean.stdout).toMatch(/alerts\s+ok/);
    const [victim] = (await auditEntries(cluster, "police")).slice(1, 2);
    const database = new DatabaseSync(join(cluster.dataDir, "police.db"));
    try {
      database.prepare("UPDATE audit_log SET user_name = 'Nobody' WHERE seq = ?").run(victim.seq);
    } finally {
      database.close();
    }
    const broken = verify();
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(new RegExp(`police\\s+BROKEN at entry ${victim.seq}`));
    expect(broken.stdout).toMatch(/social-care\s+ok/);
  });
});

describe("npm run audit:verify with anchors kept elsewhere", () => {
  it("reports a log that was wiped and restarted since it was anchored, which the chain alone cannot show", async () => {
    const anchors = join(cluster.dataDir, "anchors.json");
    verify("--write-anchors", anchors);
    const database = new DatabaseSync(join(cluster.dataDir, "social-care.db"));
    try {
      database.exec(
        `DELETE FROM audit_children; DELETE FROM audit_log; UPDATE audit_head SET seq = 0, hash = '${"0".repeat(64)}'`,
      );
    } finally {
      database.close();
    }
    // Without the anchors an empty, consistent log looks fine…
    expect(verify().stdout).toMatch(/social-care\s+ok\s+0 entries/);
    // …with them, the missing entries are found.
    const checked = verify("--anchors", anchors);
    expect(checked.status).toBe(1);
    expect(checked.stdout).toMatch(/social-care\s+BROKEN at entry \d+: entry \d+, anchored on .*, is missing/);
  });

  it("reports audit tables dropped from a store that had them", async () => {
    const database = new DatabaseSync(join(cluster.dataDir, "social-care.db"));
    try {
      database.exec("DROP TABLE audit_children; DROP TABLE audit_log; DROP TABLE audit_head");
    } finally {
      database.close();
    }
    const checked = verify();
    expect(checked.status).toBe(1);
    expect(checked.stdout).toMatch(/social-care\s+BROKEN at entry 1: the audit tables have been removed/);
  });
});

describe("when the audit trail cannot be written", () => {
  it("an agency withholds its part of the record, and the rest still comes back", async () => {
    const database = new DatabaseSync(join(cluster.dataDir, "health.db"));
    try {
      database.exec("DROP TABLE audit_children");
    } finally {
      database.close();
    }
    const { result } = await read("social-worker");
    expect(result.data.child.health).toBeNull();
    expect(result.data.child.police.missingEpisodes.length).toBeGreaterThan(0);
    const error = result.errors?.find((e) => e.extensions?.code === "AUDIT_UNAVAILABLE");
    expect(error, JSON.stringify(result.errors)).toBeDefined();
    expect(error?.extensions?.agency).toBe("HEALTH");
    expect(JSON.stringify(result)).not.toMatch(/outcomeSummary":"/);
  });

  it("the gateway withholds the whole answer", async () => {
    const database = new DatabaseSync(join(cluster.dataDir, "gateway.db"));
    try {
      database.exec("DROP TABLE audit_children");
    } finally {
      database.close();
    }
    const { result } = await read("social-worker");
    expect(result.status).toBe(503);
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toEqual([
      {
        message: expect.stringMatching(/could not be recorded in the audit trail/),
        extensions: { code: "AUDIT_UNAVAILABLE" },
      },
    ]);
  });
});
