import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agencyAssertionKey } from "@safeguarding/shared/assertion";
import { queryAuditLog, verifyAuditChain } from "@safeguarding/shared/audit";
import { serviceLog } from "@safeguarding/shared/log";
import { smtpSender } from "./notify.js";
import { startAlertsService, type RunningAlerts } from "./start.js";
import {
  careTeamEvent,
  event,
  LEAH,
  OUT_OF_HOURS,
  startMailServer,
  testBackends,
  testClock,
  type TestStore,
} from "./testing.js";

/**
 * Email owed for an alert is kept in the store with the alert: a mail server that refuses delays it, a restart of the
 * alerts service loses none, and after the last retry it is given up on and audited as such.
 */
describe.each(testBackends())("alert email when the mail server is down, on $name", (backend) => {
  let opened: TestStore;
  let running: RunningAlerts | undefined;
  let mail: Awaited<ReturnType<typeof startMailServer>>;
  const clock = testClock(OUT_OF_HOURS);
  const gatewaySecret = { kty: "oct", k: randomBytes(32).toString("base64url") };

  const start = async () =>
    startAlertsService({
      port: 0,
      ...opened.location,
      assertionKey: agencyAssertionKey(gatewaySecret, "alerts"),
      eventsSecret: { kty: "oct", k: randomBytes(32).toString("base64url") },
      now: clock.now,
      escalationCheckMs: 0,
      // 1 minute, then 5: the test's clock moves past each.
      retryDelaysMs: [60_000, 300_000],
      notify: {
        sender: smtpSender(`smtp://127.0.0.1:${mail.port}`, "Safeguarding alerts <alerts@avonvale.example>"),
        portalBaseUrl: "https://portal.avonvale.example",
      },
      log: serviceLog("alerts-email-test"),
    });

  const deliveries = async () =>
    (
      await opened.store.db
        .selectFrom("email_deliveries")
        .select(["state", "attempts", "next_at"])
        .orderBy("alert_id")
        .execute()
    ).map((d) => `${d.state} ${d.attempts} ${d.next_at}`);
  const audited = async (operation: string) =>
    (await queryAuditLog(opened.store.db, { limit: 200 })).filter((e) => e.operation === operation);

  beforeAll(async () => {
    opened = await backend.open();
    mail = await startMailServer();
    running = await start();
  });
  afterAll(async () => {
    await running?.close();
    await mail?.close();
    await opened?.cleanup();
  });

  it("keeps each email owed while the server refuses, and sends it once after a restart, when it is due", async () => {
    mail.refuse(true);
    await running!.alerts.handleEvent(careTeamEvent({ socialWorker: LEAH, onCallManager: null }));
    await running!.alerts.handleEvent(event("MISSING_REPORTED"));
    await running!.notifier.idle();
    // Out of hours: Leah, EDT and the on-call manager; each tried once and refused, next try in a minute.
    const retryAt = new Date(OUT_OF_HOURS.getTime() + 60_000).toISOString();
    expect(await deliveries()).toEqual([1, 2, 3].map(() => `WAITING 1 ${retryAt}`));
    expect(mail.messages).toEqual([]);

    await running!.close();
    running = undefined;
    mail.refuse(false);
    // Not yet due: a restart sends nothing early.
    running = await start();
    await running.notifier.idle();
    expect(mail.messages).toEqual([]);
    clock.advance(1);
    await running.notifier.idle();
    expect(mail.messages.map((m) => m.to[0]).sort()).toEqual([
      "chris.doyle@avonvale.gov.example",
      "fiona.castell@avonvale.gov.example",
      LEAH.email,
    ]);
    expect((await deliveries()).map((d) => d.split(" ").slice(0, 2).join(" "))).toEqual(["SENT 2", "SENT 2", "SENT 2"]);
    expect(await audited("delivered")).toHaveLength(3);
    // Nothing is sent twice.
    clock.advance(10);
    await running.notifier.idle();
    expect(mail.messages).toHaveLength(3);
  });

  it("gives up after the last retry, says so in the audit trail, and sends nothing more", async () => {
    mail.refuse(true);
    await running!.alerts.handleEvent(event("FOUND"));
    await running!.notifier.idle();
    clock.advance(1);
    await running!.notifier.idle();
    clock.advance(5);
    await running!.notifier.idle();
    const found = await opened.store.db
      .selectFrom("email_deliveries as d")
      .innerJoin("alerts as a", "a.id", "d.alert_id")
      .select(["d.state", "d.attempts", "d.last_error"])
      .where("a.kind", "=", "FOUND")
      .execute();
    expect(found).toHaveLength(3);
    for (const delivery of found) {
      expect(delivery).toMatchObject({ state: "GAVE_UP", attempts: 3 });
      expect(delivery.last_error).toMatch(/451/);
    }
    const givenUp = await audited("not delivered");
    expect(givenUp).toHaveLength(3);
    expect(givenUp[0]).toMatchObject({ outcome: "ERROR" });
    mail.refuse(false);
    clock.advance(60);
    await running!.notifier.idle();
    expect(mail.messages).toHaveLength(3);
    expect((await verifyAuditChain(opened.store.db)).ok).toBe(true);
  });
});
