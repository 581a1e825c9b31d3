import { createHash, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_OPERATIONS } from "@safeguarding/gateway/client-operations";
import { buildManifest } from "@safeguarding/gateway/trusted-documents";
import { ACTION_CARD_QUERY } from "@safeguarding/portal/action-card-query";
import { PORTAL_OPERATIONS } from "@safeguarding/portal/operations";
import { DEMO_CHILD, PURPOSE, startCluster, type Cluster } from "../support/cluster.js";
import { entriesFor } from "../support/audit.js";

/** With trusted documents on, the gateway runs only the registered client operations. */

// The operations `npm run trusted-documents` registers: the control room's and the portal's.
const operations = [...CLIENT_OPERATIONS, ...PORTAL_OPERATIONS];

let cluster: Cluster;
let dir: string;
const child = CLIENT_OPERATIONS.find((o) => o.name === "ControlRoomChild")!;
const purpose = { code: "MISSING_EPISODE", reference: "INC-2026-004512" };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trusted-"));
  const manifest = join(dir, "trusted-documents.json");
  writeFileSync(manifest, JSON.stringify(buildManifest(operations)));
  cluster = await startCluster({ env: { TRUSTED_DOCUMENTS: manifest } });
});

afterAll(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("trusted documents", () => {
  it("runs a registered operation sent in full", async () => {
    const result = await cluster.query(child.body, { id: DEMO_CHILD, purpose }, { as: "control-room" });
    expect(result.errors).toBeUndefined();
    expect(result.data.child.givenName).toBe("Amber");
  });

  it("runs a registered operation sent by its document id alone", async () => {
    const documentId = createHash("sha256").update(child.body).digest("hex");
    const response = await fetch(cluster.gatewayUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${await cluster.token("control-room")}`,
      },
      body: JSON.stringify({ documentId, variables: { id: DEMO_CHILD, purpose } }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.child.givenName).toBe("Amber");
  });

  it("runs the portal's action card query, the text the portal package exports", async () => {
    const result = await cluster.query(ACTION_CARD_QUERY, { id: DEMO_CHILD, purpose }, { as: "control-room" });
    expect(result.errors ?? []).toEqual([]);
    expect(result.data.child.actionCard.child.name).toMatch(/^Amber /);
  });

  it("refuses any other operation, even a valid one, before any agency is asked", async () => {
    const requestId = `untrusted-${randomUUID()}`;
    const result = await cluster.query(
      `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { police { cseConcerns { summary } } } }`,
      {},
      { as: "police-safeguarding", headers: { "x-request-id": requestId } },
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0].extensions?.code).toBe("OPERATION_NOT_TRUSTED");
    expect(result.errors?.[0].message).toMatch(/registered operations/);
    expect(await entriesFor(cluster, requestId)).toEqual([]);
  });
});
