/**
 * "Your alerts" in Chromium against a real cluster (issue 12).
 *
 * Runnable as soon as the alerts service is integrated: `startCluster` (test/support/cluster.ts) is where it will be
 * started beside the agencies and composed into the gateway's supergraph. Until then the first check below fails at
 * once, saying so. Run it like the other browser tests, after `npx turbo run build`:
 *
 *     cd test && npm exec -- vitest run --config vitest.portal.config.ts portal/alerts.test.ts
 *
 * What it expects of the integrated cluster: police reportMissing (and recordFound) write their event into the
 * outbox; the relay delivers it to the alerts service (the NATS broker or POST /events); the demo seed's
 * CARE_TEAM_CHANGED names Leah Marsh (leah.marsh@avonvale.gov.example) as the allocated social worker of
 * 999 000 0018, so she gets a MISSING_REPORTED alert with the reason "allocated social worker", within ~5 s of the
 * write; myAlerts and acknowledgeAlert answer through the gateway for her access token.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { portalClientSecret } from "@safeguarding/identity-provider";
import { startPortalServer, type PortalServer } from "@safeguarding/portal/server";
import { asker, DEMO_CHILD, startCluster, type Cluster } from "../support/cluster.js";
import { reportDemoChildMissing as reportMissing } from "../support/demo-missing.mjs";
import { axeViolations, freePort, launchChromium, signInThroughProvider } from "./support.ts";

/** PC Daniel Okafor, North Response: reports the child missing. */
const REPORTER = "response-officer";
/** Leah Marsh, the demo child's allocated social worker: the alert's recipient. */
const SOCIAL_WORKER = "social-worker";
const MISSING_TITLE = "Reported missing: 999 000 0018";
/** The stream asks the gateway this often; the alert must appear within ALERT_WAIT_MS of the write. */
const POLL_MS = 500;
const ALERT_WAIT_MS = 8_000;

let cluster: Cluster;
let portal: PortalServer;
let browser: Browser;
let socialWorker: BrowserContext;
let dataDir: string;

/**
 * Reports the demo child missing (found first: the seed has her missing, so a FOUND alert comes before the
 * MISSING_REPORTED this test looks for).
 */
async function reportDemoChildMissing(): Promise<void> {
  const episode = await reportMissing(asker(cluster, REPORTER), DEMO_CHILD, "ALERTS-TEST");
  expect(episode.status).toBe("MISSING");
}

const missingAlert = (page: Page): Locator =>
  page.locator("[data-alerts-list] li[data-alert-id]", { hasText: MISSING_TITLE });

beforeAll(async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  cluster = await startCluster({ portals: [url] });
  // The alerts service must be composed into the gateway: say so plainly rather than time out below.
  const probe = await cluster.query(
    "{ myAlerts(unacknowledgedOnly: false, first: 1) { id } }",
    {},
    { as: SOCIAL_WORKER },
  );
  if (probe.errors?.length)
    throw new Error(
      `The cluster's gateway does not answer myAlerts (${probe.errors[0].message}): start the alerts service in startCluster and compose it into the supergraph (issue 12) before running this test.`,
    );
  dataDir = await mkdtemp(join(tmpdir(), "portal-alerts-"));
  portal = await startPortalServer({
    port,
    host: "127.0.0.1",
    dataDir,
    gatewayUrl: cluster.gatewayUrl,
    alertsPollMs: POLL_MS,
    oidc: { issuer: cluster.issuer, clientSecret: portalClientSecret(cluster.dataDir, {}) },
  });
  browser = await launchChromium();
  socialWorker = await browser.newContext({ baseURL: portal.url });
  await signInThroughProvider(socialWorker, portal.url, SOCIAL_WORKER);
});

afterAll(async () => {
  await socialWorker?.close();
  await browser?.close();
  await portal?.close();
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("Your alerts, for the demo child's social worker", () => {
  it("offers Alerts in the navigation once signed in", async () => {
    const page = await socialWorker.newPage();
    await page.goto("/");
    const link = page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Alerts" });
    await link.waitFor({ state: "visible" });
    await link.click();
    await page.waitForURL("**/alerts/");
    await expect(page.locator("h1").textContent()).resolves.toBe("Your alerts");
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("shows a missing report on the open page without a reload, and says so politely", async () => {
    const page = await socialWorker.newPage();
    const response = await page.goto("/alerts/");
    expect(response!.status()).toBe(200);
    expect(response!.headers()["cache-control"]).toBe("no-store");
    expect(await missingAlert(page).count()).toBe(0);
    // Marks this very document: a reload or a navigation would lose it.
    await page.evaluate(() => Object.assign(window, { alertsPageMark: true }));

    await reportDemoChildMissing();

    await missingAlert(page).waitFor({ state: "visible", timeout: ALERT_WAIT_MS });
    expect(await page.evaluate(() => (window as unknown as { alertsPageMark?: boolean }).alertsPageMark)).toBe(true);
    const alert = missingAlert(page);
    const text = (await alert.textContent())!;
    expect(text).toContain("Why you got this");
    expect(text).toContain("allocated social worker");
    expect(text).toContain("From");
    expect(text).toContain("Police");
    expect(await alert.getByRole("link", { name: /NHS number 999 000 0018/ }).getAttribute("href")).toBe(
      `/action-card/${DEMO_CHILD}`,
    );
    await expect(page.locator("[data-alerts-announcer]").textContent()).resolves.toContain(MISSING_TITLE);
    expect(await page.locator("[data-alerts-announcer]").getAttribute("aria-live")).toBe("polite");
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("acknowledges it with a note, after which it is gone from the alerts to acknowledge", async () => {
    const page = await socialWorker.newPage();
    await page.goto("/alerts/");
    const alert = missingAlert(page);
    await alert.waitFor({ state: "visible", timeout: ALERT_WAIT_MS });
    const id = (await alert.getAttribute("data-alert-id"))!;
    await alert.getByLabel("Note (optional)").fill("Called the placement; police have a unit at the bus station.");
    const [landed] = await Promise.all([
      page.waitForNavigation(),
      alert.getByRole("button", { name: /^Acknowledge/ }).click(),
    ]);
    expect(landed!.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/alerts/");
    await expect(page.locator(".govuk-notification-banner--success").textContent()).resolves.toContain(
      "Alert acknowledged",
    );
    expect(await page.locator(`[data-alert-id="${id}"]`).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // With acknowledged alerts shown too, it is there, marked acknowledged, with no form left to send.
    await page.getByRole("link", { name: "Show acknowledged alerts too" }).click();
    await page.waitForURL("**/alerts/?all=1");
    const acknowledged = page.locator(`[data-alert-id="${id}"]`);
    expect(await acknowledged.locator(".govuk-tag").textContent()).toBe("Acknowledged");
    expect(await acknowledged.locator("form").count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("says the gateway's sentence when the alert was already acknowledged, changing nothing", async () => {
    const page = await socialWorker.newPage();
    await page.goto("/alerts/?all=1");
    const id = (await missingAlert(page).first().getAttribute("data-alert-id"))!;
    // A second post for the same alert, as from a tab opened before it was acknowledged.
    const response = await page.request.post(`/alerts/${encodeURIComponent(id)}/acknowledge`, {
      form: { note: "Again" },
      headers: { origin: portal.url },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(400);
    expect(await response.text()).toMatch(/already acknowledged/);
    await page.close();
  });
});
