import "reflect-metadata";
import { randomBytes } from "node:crypto";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testGrant } from "@safeguarding/kit/testing";
import { agencyAssertionKey, ASSERTION_HEADER, createAssertionSigner } from "@safeguarding/shared/assertion";
import { queryAuditLog, verifyAuditChain } from "@safeguarding/shared/audit";
import { EVENTS_SIGNATURE_HEADER, signEventBody } from "@safeguarding/shared/events";
import type { Role } from "@safeguarding/shared/identity";
import { serviceLog } from "@safeguarding/shared/log";
import { smtpSender } from "./notify.js";
import { startAlertsService, type RunningAlerts } from "./start.js";
import {
  AMBER,
  careTeamEvent,
  event,
  LEAH,
  OUT_OF_HOURS,
  SAM,
  startMailServer,
  testBackends,
  testClock,
  type TestStore,
} from "./testing.js";

const secretJwk = (): JWK => ({ kty: "oct", k: randomBytes(32).toString("base64url") });

describe.each(testBackends())("the alerts service over HTTP on $name", (backend) => {
  let opened: TestStore;
  let running: RunningAlerts;
  let mail: Awaited<ReturnType<typeof startMailServer>>;
  const gatewaySecret = secretJwk();
  const eventsSecret = secretJwk();
  const clock = testClock(OUT_OF_HOURS);

  beforeAll(async () => {
    opened = await backend.open();
    // The service opens the store itself; the test's handle is for looking.
    mail = await startMailServer();
    running = await startAlertsService({
      port: 0,
      ...opened.location,
      assertionKey: agencyAssertionKey(gatewaySecret, "alerts"),
      eventsSecret,
      now: clock.now,
      escalationCheckMs: 0,
      notify: {
        sender: smtpSender(`smtp://127.0.0.1:${mail.port}`, "Safeguarding alerts <alerts@avonvale.example>"),
        portalBaseUrl: "https://portal.avonvale.example",
      },
      log: serviceLog("alerts-test"),
    });
  });
  afterAll(async () => {
    await running?.close();
    await mail?.close();
    await opened?.cleanup();
  });

  const postEvents = (body: string, signature = signEventBody(eventsSecret, body)) =>
    fetch(running.eventsUrl, {
      method: "POST",
      headers: { "content-type": "application/json", [EVENTS_SIGNATURE_HEADER]: signature },
      body,
    });
  const alertCount = async () => (await opened.store.db.selectFrom("alerts").select("id").execute()).length;

  async function graphql(
    query: string,
    as: { role: Role; email: string | null; name?: string; via?: "protocol" },
    variables: Record<string, unknown> = {},
  ) {
    const grant = testGrant(as.role, { email: as.email, userId: `test-${as.email}` });
    grant.identity.name = as.name ?? grant.identity.name;
    grant.via = as.via ?? null;
    const assertion = await (await createAssertionSigner(gatewaySecret)).sign(grant, "alerts");
    const response = await fetch(running.url, {
      method: "POST",
      headers: { "content-type": "application/json", [ASSERTION_HEADER]: assertion },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: Record<string, any> | null;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    };
  }
  const leah = { role: "SOCIAL_WORKER" as const, ...LEAH };
  const MY_ALERTS = `query ($all: Boolean, $first: Int) { myAlerts(unacknowledgedOnly: $all, first: $first) {
    id kind childId raisedAt summary reason sourceAgency acknowledgedAt acknowledgedBy escalatedTo } }`;
  const ACKNOWLEDGE = `mutation ($id: ID!, $note: String) { acknowledgeAlert(id: $id, note: $note) {
    id acknowledgedAt acknowledgedBy } }`;

  it("refuses a body with a wrong signature (401) or a bad event (400), storing nothing", async () => {
    const body = JSON.stringify([
      careTeamEvent({ socialWorker: LEAH, onCallManager: null }),
      event("MISSING_REPORTED"),
    ]);
    const forged = await postEvents(body, signEventBody(secretJwk(), body));
    expect(forged.status).toBe(401);
    expect((await postEvents(body, "")).status).toBe(401);
    const bad = await postEvents(JSON.stringify([event("MISSING_REPORTED"), { ...event("FOUND"), childId: "12" }]));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { message: /Event 1: childId must be an NHS number/ } });
    expect((await postEvents("{}")).status).toBe(400);
    expect(await alertCount()).toBe(0);
    expect(await opened.store.db.selectFrom("events_seen").select("id").execute()).toEqual([]);
  });

  it("takes signed events: 200 {accepted} once committed, and a repeat raises nothing more", async () => {
    const body = JSON.stringify([
      careTeamEvent({ socialWorker: LEAH, onCallManager: null }),
      event("MISSING_REPORTED"),
    ]);
    const response = await postEvents(body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 2 });
    // Out of hours: Leah, EDT and the on-call manager.
    expect(await alertCount()).toBe(3);
    expect((await postEvents(body)).status).toBe(200);
    expect(await alertCount()).toBe(3);
  });

  it("emails each recipient the kind and a link, with no detail of the child, and audits the delivery", async () => {
    await running.notifier.idle();
    expect(mail.messages.map((m) => m.to[0]).sort()).toEqual([
      "chris.doyle@avonvale.gov.example",
      "fiona.castell@avonvale.gov.example",
      LEAH.email,
    ]);
    for (const message of mail.messages) {
      // Quoted-printable wraps long lines with a soft break.
      const body = message.body.replace(/=\r?\n/g, "");
      expect(body).toMatch(/Subject: Safeguarding alert: a child has been reported missing/);
      expect(body).toContain("https://portal.avonvale.example/alerts");
      expect(body).not.toMatch(/Amber|Hayes|999 ?000 ?0018|9990000018|placement at/);
    }
    const delivered = await queryAuditLog(opened.store.db, { limit: 100 });
    expect(delivered.filter((e) => e.operation === "delivered")).toHaveLength(3);
  });

  it("myAlerts shows the social worker her alert, and the unallocated social worker none", async () => {
    const mine = await graphql(MY_ALERTS, leah);
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.myAlerts).toEqual([
      expect.objectContaining({
        kind: "MISSING_REPORTED",
        childId: AMBER,
        reason: "allocated social worker",
        sourceAgency: "POLICE",
        acknowledgedAt: null,
        escalatedTo: [],
        summary: expect.stringMatching(/reported missing/),
      }),
    ]);
    const sam = await graphql(MY_ALERTS, { role: "SOCIAL_WORKER", ...SAM });
    expect(sam).toEqual({ data: { myAlerts: [] } });
  });

  it("refuses a caller with no verified email, one the policy does not allow, and first out of range", async () => {
    const noEmail = await graphql(MY_ALERTS, { role: "SOCIAL_WORKER", email: null });
    expect(noEmail.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/no verified email address/),
      extensions: { code: "FORBIDDEN" },
    });
    const auditor = await graphql(MY_ALERTS, { role: "AUDITOR", email: "fiona.grant@avonvale.police.example" });
    expect(auditor.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", field: "Query.myAlerts" });
    for (const first of [0, 201]) {
      const result = await graphql(MY_ALERTS, leah, { first });
      expect(result.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
    }
  });

  it("acknowledges over GraphQL, and refuses unknown ids, someone else's alert and a second acknowledgement", async () => {
    const [alert] = (await graphql(MY_ALERTS, leah)).data?.myAlerts as { id: string }[];
    const unknown = await graphql(ACKNOWLEDGE, leah, { id: "00000000-0000-4000-8000-000000000000" });
    expect(unknown.errors?.[0]).toMatchObject({ message: /No alert has id/, extensions: { code: "BAD_USER_INPUT" } });
    const others = await graphql(ACKNOWLEDGE, { role: "SOCIAL_WORKER", ...SAM }, { id: alert.id });
    expect(others.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN" });
    expect(others.errors?.[0].message).not.toMatch(/Amber|missing/);
    clock.advance(2);
    const done = await graphql(ACKNOWLEDGE, leah, { id: alert.id, note: "Calling the placement." });
    expect(done.data?.acknowledgeAlert).toEqual({
      id: alert.id,
      acknowledgedAt: new Date(clock.now()).toISOString(),
      acknowledgedBy: LEAH.name,
    });
    const twice = await graphql(ACKNOWLEDGE, leah, { id: alert.id });
    expect(twice.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/already acknowledged at .* by Leah Marsh/),
      extensions: { code: "BAD_USER_INPUT" },
    });
    expect((await graphql(MY_ALERTS, leah)).data?.myAlerts).toEqual([]);
    expect((await graphql(MY_ALERTS, leah, { all: false })).data?.myAlerts).toHaveLength(1);
  });

  const CHILD_ALERTS = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on Child { alerts { kind raisedAt summary sourceAgency sentTo { name reason } escalatedTo } } } }`;
  const amber = { representations: [{ __typename: "Child", id: AMBER }] };

  it("answers a child's unacknowledged alerts to the gateway's _entities call, one per event, to any case role", async () => {
    const controlRoom = { role: "CONTROL_ROOM" as const, email: null };
    const result = await graphql(CHILD_ALERTS, controlRoom, amber);
    expect(result.errors).toBeUndefined();
    const [child] = result.data?._entities as { alerts: Record<string, unknown>[] }[];
    // Leah acknowledged hers above, so the event is in hand and no longer listed; a new one is.
    expect(child.alerts).toEqual([]);
    const body = JSON.stringify([event("FOUND", { summary: "Amber Hayes (999 000 0018) found at 20:10." })]);
    expect((await postEvents(body)).status).toBe(200);
    const again = await graphql(CHILD_ALERTS, controlRoom, amber);
    expect(again.data?._entities).toEqual([
      {
        alerts: [
          {
            kind: "FOUND",
            raisedAt: clock.now().toISOString(),
            summary: "Amber Hayes (999 000 0018) found at 20:10.",
            sourceAgency: "POLICE",
            sentTo: expect.arrayContaining([{ name: LEAH.name, reason: "allocated social worker" }]),
            escalatedTo: [],
          },
        ],
      },
    ]);
  });

  it("refuses a child's alerts to an auditor and to the protocol engine, naming the field", async () => {
    const auditor = await graphql(
      CHILD_ALERTS,
      { role: "AUDITOR", email: "fiona.grant@avonvale.police.example" },
      amber,
    );
    expect(auditor.data?._entities).toEqual([{ alerts: null }]);
    expect(auditor.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", field: "Child.alerts" });
    const engine = await graphql(CHILD_ALERTS, { role: "SOCIAL_WORKER", ...LEAH, via: "protocol" }, amber);
    expect(engine.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", field: "Child.alerts" });
  });

  it("audits reads naming the child, and acknowledgements, in a chain that verifies", async () => {
    const entries = await queryAuditLog(opened.store.db, { limit: 1000 });
    const reads = entries.filter((e) => e.action === "READ" && e.operation === "myAlerts" && e.outcome === "OK");
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.map((e) => e.childIds)).toEqual(reads.map(() => [AMBER]));
    const childReads = entries.filter((e) => e.action === "READ" && e.operation === "_entities");
    expect(childReads.map((e) => [e.role, e.outcome, e.childIds])).toEqual(
      expect.arrayContaining([
        ["CONTROL_ROOM", "OK", [AMBER]],
        ["AUDITOR", "DENIED", [AMBER]],
      ]),
    );
    const acknowledged = entries.filter((e) => e.operation === "acknowledged");
    expect(acknowledged).toHaveLength(1);
    expect(acknowledged[0]).toMatchObject({ childIds: [AMBER], userName: LEAH.name });
    // The refused acknowledgements are recorded too, and name no alert id as a child.
    expect(entries.some((e) => e.outcome === "REFUSED" && e.operation === "acknowledgeAlert")).toBe(true);
    expect(entries.flatMap((e) => e.childIds).filter((id) => !/^\d{10}$/.test(id))).toEqual([]);
    expect(await verifyAuditChain(opened.store.db)).toMatchObject({ ok: true });
  });
});
