import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { generateKeyPair, exportJWK } from "jose";
import {
  portalClientSecret,
  startIdentityProvider,
  type RunningIdentityProvider,
} from "@safeguarding/identity-provider";
import { startPortalServer, type PortalServer } from "@safeguarding/portal/server";
import { EVENTS_SIGNATURE_HEADER, eventsSecret, signEventBody } from "@safeguarding/shared/events";
import { DEMO_CHILD, startCluster, type Cluster } from "../support/cluster.js";
import { craftToken } from "../support/tokens.js";
import {
  axeViolations,
  chooseDemoUser,
  freePort,
  launchChromium,
  PORTAL_CLIENT_SECRET,
  signInThroughProvider,
} from "./support.ts";

/** Tom Okafor, missing persons unit: the gateway's POLICE_SAFEGUARDING role. */
const OFFICER = "pc-2290";
/** Gareth Moss, a supervisor: TRAINING_SUPERVISOR, which may not see children's records. */
const SUPERVISOR = "ps-1102";
const REFERENCE = "INC-2026-004512";
const CARD = `/action-card/${DEMO_CHILD}?purpose=MISSING_EPISODE&reference=${REFERENCE}`;

let cluster: Cluster;
let portal: PortalServer;
let deadGatewayPortal: PortalServer;
let untrustedPortal: PortalServer;
/** Another development identity provider: its tokens are not the ones the cluster's gateway trusts. */
let otherProvider: RunningIdentityProvider;
let browser: Browser;
let officer: BrowserContext;
let supervisor: BrowserContext;
let dataDir: string;

async function signedInContext(server: PortalServer, user: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: server.url });
  await signInThroughProvider(context, server.url, user);
  return context;
}

/** More alerts than the card lists, none acknowledged: the card shows 5 "and 2 more", and must still print on one page. */
const UNACKNOWLEDGED_EVENTS = 7;

/**
 * Gives the alerts service events about the child as the police relay would (signed POST /events), so the card has
 * alerts nobody has acknowledged without changing her police record. Resolves once the gateway lists them.
 */
async function raiseAlerts(): Promise<void> {
  const events = Array.from({ length: UNACKNOWLEDGED_EVENTS }, (_, i) => {
    const at = new Date(Date.now() - (UNACKNOWLEDGED_EVENTS - i) * 600_000).toISOString();
    const missing = i % 2 === 0;
    return {
      id: randomUUID(),
      kind: missing ? "MISSING_REPORTED" : "FOUND",
      agency: "POLICE",
      childId: DEMO_CHILD,
      area: "north-avonvale",
      occurredAt: at,
      recordedAt: at,
      summary: missing
        ? `Amber Whitlock (999 000 0018) reported missing from placement; last seen Orchard Lane, report ${i + 1}.`
        : `Amber Whitlock (999 000 0018) found at Avonvale bus station and returned to placement, report ${i + 1}.`,
      data: { episodeId: `ME-TEST-${i}`, ...(missing ? { riskLevel: "HIGH" } : { returnedTo: "PLACEMENT" }) },
    };
  });
  const body = JSON.stringify(events);
  const secret = await eventsSecret(cluster.dataDir, false);
  const response = await fetch(`${cluster.alertsUrl}/events`, {
    method: "POST",
    headers: { "content-type": "application/json", [EVENTS_SIGNATURE_HEADER]: signEventBody(secret, body) },
    body,
  });
  expect(response.status, await response.text()).toBe(200);
}

/** Submits the form and returns the status of the page it lands on (after any redirect). */
async function submit(page: Page): Promise<number> {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole("button", { name: "Show action card" }).click(),
  ]);
  return response!.status();
}

beforeAll(async () => {
  // Each portal's address is fixed before anything starts: the provider registers its callback.
  const [portalPort, deadPort, untrustedPort] = [await freePort(), await freePort(), await freePort()];
  const urlOf = (port: number) => `http://127.0.0.1:${port}`;
  cluster = await startCluster({ portals: [urlOf(portalPort), urlOf(deadPort)] });
  await raiseAlerts();
  dataDir = await mkdtemp(join(tmpdir(), "portal-action-card-"));
  // The secret the cluster's provider created for the portal, as `npm start`'s portal reads it.
  const oidc = { issuer: cluster.issuer, clientSecret: portalClientSecret(cluster.dataDir, {}) };
  portal = await startPortalServer({
    port: portalPort,
    host: "127.0.0.1",
    dataDir,
    gatewayUrl: cluster.gatewayUrl,
    oidc,
  });
  deadGatewayPortal = await startPortalServer({
    port: deadPort,
    host: "127.0.0.1",
    dataDir: join(dataDir, "dead"),
    gatewayUrl: `http://127.0.0.1:${await freePort()}/graphql`,
    oidc,
  });
  // Signs in at a provider the gateway does not trust (another issuer, another key).
  otherProvider = await startIdentityProvider({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(dataDir, "other-idp"),
    portal: {
      clientSecret: PORTAL_CLIENT_SECRET,
      redirectUris: [`${urlOf(untrustedPort)}/auth/callback`],
      postLogoutRedirectUris: [`${urlOf(untrustedPort)}/`],
    },
  });
  untrustedPortal = await startPortalServer({
    port: untrustedPort,
    host: "127.0.0.1",
    dataDir: join(dataDir, "untrusted"),
    gatewayUrl: cluster.gatewayUrl,
    oidc: { issuer: otherProvider.url, clientSecret: PORTAL_CLIENT_SECRET },
  });
  browser = await launchChromium();
  officer = await signedInContext(portal, OFFICER);
  supervisor = await signedInContext(portal, SUPERVISOR);
});

afterAll(async () => {
  for (const context of [officer, supervisor]) await context?.close();
  await browser?.close();
  await portal?.close();
  await deadGatewayPortal?.close();
  await untrustedPortal?.close();
  await otherProvider?.close();
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the printable action card for 999 000 0018", () => {
  it("renders the card on the server, in the order an officer needs it", async () => {
    const page = await officer.newPage();
    const response = await page.goto(CARD);
    expect(response!.status()).toBe(200);
    expect(response!.headers()["cache-control"]).toBe("no-store");
    expect(response!.headers()["referrer-policy"]).toBe("no-referrer");
    await expect(page.locator("h1").textContent()).resolves.toBe("Action card: Amber Whitlock");
    expect(await page.locator(".app-card h2").allTextContents()).toEqual([
      "1. Who the child is",
      "2. Legal status: Interim care order (C1)",
      "3. Where to take the child, and where not to",
      "4. Who to call now, in this order",
      "5. Current risks and open protocol steps",
      "6. Decisions already made that apply out of hours",
      "7. If Amber will not go back",
      "8. Record",
    ]);
    const text = (await page.locator(".app-card").textContent())!;
    expect(text).toMatch(/Police have no general power to make a child go back/);
    expect(text).toMatch(/The reference to quote: INC-2026-004512 and police episode ME-0018-/);
    expect(text).toContain("999 000 0018");
    expect(text).toContain("known as Ambs");
    expect(text).toContain("Amber is missing now.");
    expect(text).toContain("14 Orchard Lane, Avonvale AV3 2QT");
    expect(text).toMatch(/Do not hand the child to a parent/);
    expect(text).toContain(`Opened by PC Tom Okafor for: missing episode, ${REFERENCE}`);
    // The alerts nobody has acknowledged, beside the current risks: the newest 5, and how many more.
    const alerts = page.locator('[aria-labelledby="card-risks"] .app-card__alerts');
    await expect(alerts.locator("h3").textContent()).resolves.toBe("Alerts not yet acknowledged");
    const listed = await alerts.locator("li").allTextContents();
    expect(listed).toHaveLength(5);
    expect(listed[0]).toMatch(/^Reported missing, \d+ \w+ \d{4}, \d\d:\d\d\. Sent to .+\. .*report 7\./);
    expect(listed[1]).toMatch(/^Found, .*report 6\./);
    // Seven posted by this test, and any the services raised themselves (health's overdue assessment for Amber).
    const all = await cluster.query(
      `{ child(id: "${DEMO_CHILD}", purpose: { code: MISSING_EPISODE, reference: "${REFERENCE}" }) { alerts { kind } } }`,
      {},
      { as: OFFICER },
    );
    const total = all.data.child.alerts.length;
    expect(total).toBeGreaterThanOrEqual(7);
    await expect(alerts.textContent()).resolves.toContain(`and ${total - 5} more.`);
    // A police safeguarding officer may see the whole card while the child is missing: nothing is withheld.
    expect(await page.locator(".app-card__withheld").count()).toBe(0);
    const calls = await page.locator(".app-card__calls > li").allTextContents();
    expect(calls.map((c) => c.split(":")[0])).toEqual([
      "Named on-call manager",
      "Emergency Duty Team",
      "EDT's legal advice",
      "CAMHS crisis line",
      "Placement (night staff)",
    ]);
    expect(calls[3]).toContain("0808 157 0520");
    expect(await page.locator('a[href="tel:07700900461"]').count()).toBeGreaterThan(0);
    // Every listed item names the agency it comes from (the duties and guidance come from the glossary).
    for (const item of await page
      .locator(".app-card li")
      .filter({ hasNot: page.locator("ul") })
      .all()) {
      const inDuties = await item.evaluate((li) => !!li.closest(".app-card__duties, .app-card__guidance"));
      if (!inDuties)
        expect(await item.locator(".app-card__source").textContent()).toMatch(
          /^(Police|Social care|Health), .+; as of \d/,
        );
    }
    await page.close();
  });

  it("prints on exactly one A4 page", async () => {
    const page = await officer.newPage();
    await page.goto(CARD);
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    const pages = pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
    expect(pages).toHaveLength(1);
    await page.close();
  });

  it("has no WCAG 2.2 A or AA violations", async () => {
    const page = await officer.newPage();
    await page.goto(CARD);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("is read as the signed-in officer, for the reason given, in the gateway's audit trail", async () => {
    const log = await cluster.query(
      `{ accessLog(childId: "${DEMO_CHILD}") { userId userName role organisation purpose { code reference } outcome } }`,
      {},
      { as: "auditor" },
    );
    expect(log.errors).toBeUndefined();
    // The provider's subject for him: the same id his training records are kept under.
    expect(log.data.accessLog).toContainEqual({
      userId: "demo:pc-2290",
      userName: "PC Tom Okafor",
      role: "POLICE_SAFEGUARDING",
      organisation: "Avonvale Police, Missing persons unit",
      purpose: { code: "MISSING_EPISODE", reference: REFERENCE },
      outcome: "OK",
    });
  });
});

describe("who may open the card, and why", () => {
  it("sends a signed-out visitor to the identity provider's sign-in, then straight back to the card", async () => {
    const signedOut = await browser.newContext({ baseURL: portal.url });
    const page = await signedOut.newPage();
    const response = await page.goto(CARD);
    // The last page of the redirects is the provider's own sign-in page.
    expect(new URL(page.url()).origin).toBe(cluster.issuer);
    expect(response!.status()).toBe(200);
    expect(await page.content()).not.toContain("Amber");
    expect(await axeViolations(page)).toEqual([]);
    await chooseDemoUser(page, OFFICER);
    await page.waitForURL((url) => url.origin === portal.url && `${url.pathname}${url.search}` === CARD);
    await expect(page.locator("h1").textContent()).resolves.toBe("Action card: Amber Whitlock");
    await signedOut.close();
  });

  it("asks why before showing a card opened without a reason (200), then shows it", async () => {
    const page = await officer.newPage();
    const response = await page.goto(`/action-card/${DEMO_CHILD}`);
    expect(response!.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Why you need the action card");
    expect(await page.locator(".govuk-caption-l").textContent()).toBe("NHS number 999 000 0018");
    expect(await page.content()).not.toContain("Amber");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel("Safeguarding enquiry").check();
    await page.getByLabel("Incident, case or meeting number").fill("S47-2026-0091");
    expect(await submit(page)).toBe(200);
    expect(page.url()).toContain(`/action-card/${DEMO_CHILD}?purpose=SAFEGUARDING_ENQUIRY&reference=S47-2026-0091`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Action card: Amber Whitlock");
    await page.close();
  });

  it("keeps the reason when the form's ?nhs= address sends the officer to the card", async () => {
    const response = await officer.request.get(
      "/action-card/?nhs=999+000+0018&purpose=EMERGENCY&reference=INC+77&agreement=",
      { maxRedirects: 0 },
    );
    expect(response.status()).toBe(303);
    expect(response.headers().location).toBe(`/action-card/${DEMO_CHILD}?purpose=EMERGENCY&reference=INC%2077`);
  });

  it("refuses a supervisor, whose role may not see children's records (403)", async () => {
    const page = await supervisor.newPage();
    const response = await page.goto(CARD);
    expect(response!.status()).toBe(403);
    await expect(page.locator("h1").textContent()).resolves.toBe("Your role cannot see children's records");
    const text = (await page.locator("main").textContent())!;
    expect(text).toContain("You are signed in as PS Gareth Moss.");
    expect(text).toContain("Your role in the gateway is “Supervises officers' training; no case access”");
    await page.getByText("What the gateway said").click();
    await expect(page.getByText(/may not see Query\.child/).isVisible()).resolves.toBe(true);
    expect(text).not.toContain("Amber");
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("reaching the card from the portal", () => {
  it("the Action card page takes an NHS number and a reason and opens the card", async () => {
    const page = await officer.newPage();
    await page.goto("/");
    await page.getByRole("link", { name: "Action card" }).click();
    await page.waitForURL("**/action-card/");
    // Signed in: no banner asking the officer to sign in.
    await expect(page.locator("[data-action-card-sign-in]").isHidden()).resolves.toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel("NHS number").fill("999 000 0018");
    await page.getByLabel("Missing episode").check();
    await page.getByLabel("Incident, case or meeting number").fill(REFERENCE);
    await page.getByLabel("Data-sharing agreement (optional)").fill("Avonvale missing children protocol");
    expect(await submit(page)).toBe(200);
    expect(new URL(page.url()).pathname).toBe(`/action-card/${DEMO_CHILD}`);
    expect(new URL(page.url()).searchParams.get("reference")).toBe(REFERENCE);
    await expect(page.locator("h1").textContent()).resolves.toBe("Action card: Amber Whitlock");
    expect(await page.locator(".app-card__meta").textContent()).toContain(
      `${REFERENCE}, under Avonvale missing children protocol;`,
    );
    await page.close();
  });

  it("tells a signed-out visitor on the Action card page to sign in first", async () => {
    const signedOut = await browser.newContext({ baseURL: portal.url });
    const page = await signedOut.newPage();
    await page.goto("/action-card/");
    await page.locator("[data-action-card-sign-in]").waitFor({ state: "visible" });
    expect(
      await page.locator("[data-action-card-sign-in]").getByRole("link", { name: "Sign in" }).getAttribute("href"),
    ).toBe("/sign-in?return=%2Faction-card%2F");
    expect(await axeViolations(page)).toEqual([]);
    await signedOut.close();
  });

  it("asks for the reference when it is left empty (400), with every other answer kept", async () => {
    const page = await officer.newPage();
    await page.goto("/action-card/");
    await page.getByLabel("NHS number").fill("999 000 0018");
    await page.getByLabel("Missing episode").check();
    expect(await submit(page)).toBe(400);
    expect(await page.title()).toMatch(/^Error: /);
    expect(await page.locator(".govuk-error-summary").textContent()).toContain(
      "Enter the incident, case or meeting number this look-up is for",
    );
    expect(await page.locator("#reference-error").textContent()).toContain(
      "Enter the incident, case or meeting number",
    );
    expect(await page.getByLabel("Incident, case or meeting number").getAttribute("aria-describedby")).toBe(
      "reference-hint reference-error",
    );
    expect(await page.getByLabel("NHS number").inputValue()).toBe("999 000 0018");
    expect(await page.getByLabel("Missing episode").isChecked()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    // The summary's link takes the officer to the field; fixing it opens the card.
    await page.locator(".govuk-error-summary a").click();
    await page.getByLabel("Incident, case or meeting number").fill(REFERENCE);
    expect(await submit(page)).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Action card: Amber Whitlock");
    await page.close();
  });

  it("shows the gateway's refusal of a reference against that field (400)", async () => {
    const page = await officer.newPage();
    const response = await page.goto(`/action-card/${DEMO_CHILD}?purpose=MISSING_EPISODE&reference=${"9".repeat(101)}`);
    expect(response!.status()).toBe(400);
    expect(await page.locator(".govuk-error-summary").textContent()).toContain(
      "The reference must be one line of at most 100 characters.",
    );
    expect(await page.locator("#reference-error").textContent()).toContain("at most 100 characters");
    expect(await page.content()).not.toContain("Amber");
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("explains a wrong NHS number with the form to try again (400)", async () => {
    const page = await officer.newPage();
    const response = await page.goto(`/action-card/?nhs=999+000+0019&purpose=MISSING_EPISODE&reference=${REFERENCE}`);
    expect(response!.status()).toBe(400);
    expect(await page.locator(".govuk-error-summary").textContent()).toMatch(
      /999 000 0019 is not a valid NHS number: its check digit is wrong/,
    );
    expect(await page.getByLabel("NHS number").inputValue()).toBe("999 000 0019");
    expect(await page.getByLabel("Incident, case or meeting number").inputValue()).toBe(REFERENCE);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("says when no agency holds the child (404)", async () => {
    const response = await officer.request.get(
      `/action-card/9990000077?purpose=MISSING_EPISODE&reference=${REFERENCE}`,
    );
    expect(response.status()).toBe(404);
    expect(await response.text()).toMatch(/no record of NHS number 999 000 0077/);
  });

  it("says the gateway is not answering when it is down (503)", async () => {
    const context = await signedInContext(deadGatewayPortal, OFFICER);
    const response = await context.request.get(CARD);
    expect(response.status()).toBe(503);
    const html = await response.text();
    expect(html).toMatch(/The Safeguarding Gateway is not answering/);
    expect(html).toMatch(/could not be reached, so the action card for 999 000 0018 cannot be shown now/);
    await context.close();
  });

  it("says when the gateway does not accept the officer's sign-in (503)", async () => {
    const context = await signedInContext(untrustedPortal, OFFICER);
    const response = await context.request.get(CARD);
    expect(response.status()).toBe(503);
    const html = await response.text();
    expect(html).toMatch(/The Safeguarding Gateway did not accept your sign-in/);
    expect(html).not.toContain("Amber");
    await context.close();
  });
});

describe("no token the portal made itself", () => {
  it("the gateway refuses a token from the old in-process development signer, whatever key signed it", async () => {
    const query = `{ child(id: "${DEMO_CHILD}", purpose: { code: MISSING_EPISODE, reference: "${REFERENCE}" }) { givenName } }`;
    const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
    const oldSigner = await craftToken(cluster, {
      user: OFFICER,
      iss: "urn:safeguarding:dev-identity-provider",
      key: await exportJWK(privateKey),
    });
    const withProvidersKey = await craftToken(cluster, {
      user: OFFICER,
      iss: "urn:safeguarding:dev-identity-provider",
    });
    for (const token of [oldSigner, withProvidersKey]) {
      const answer = await cluster.query(query, {}, { authorization: `Bearer ${token}` });
      expect(answer.status).toBe(401);
      expect(answer.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    }
    // The card the officer read above came through with a token from the provider itself.
    const page = await officer.newPage();
    expect((await page.goto(CARD))!.status()).toBe(200);
    await page.close();
  });
});
