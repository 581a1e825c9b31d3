import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startPortalServer, type PortalServer } from "@safeguarding/portal/server";
import { DEMO_CHILD, startCluster, type Cluster } from "../support/cluster.js";
import { axeViolations, CHROMIUM_ARGS } from "./support.ts";

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
let browser: Browser;
let officer: BrowserContext;
let supervisor: BrowserContext;
let dataDir: string;

/** A local port nothing listens on: the gateway is "down". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function signedInContext(officerId: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: portal.url });
  const response = await context.request.post("/api/session", { data: { officerId } });
  if (!response.ok()) throw new Error(`Demo sign-in as ${officerId} failed: ${response.status()}`);
  return context;
}

/** A signed-in officer's session cookie for a portal, for requests outside the browser. */
async function sessionCookie(server: PortalServer): Promise<string> {
  const signIn = await fetch(`${server.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ officerId: OFFICER }),
  });
  return signIn.headers.get("set-cookie")!.split(";")[0];
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
  // The portal still mints its gateway tokens with the development signer under the cluster's data dir, so this
  // gateway trusts that signer as `npm start`'s does, until the portal signs in through the identity provider.
  cluster = await startCluster({ trustDevSigner: true });
  dataDir = await mkdtemp(join(tmpdir(), "portal-action-card-"));
  portal = await startPortalServer({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    gatewayUrl: cluster.gatewayUrl,
    identityProviderDir: cluster.dataDir,
  });
  deadGatewayPortal = await startPortalServer({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(dataDir, "dead"),
    gatewayUrl: `http://127.0.0.1:${await closedPort()}/graphql`,
    identityProviderDir: cluster.dataDir,
  });
  // Its tokens are signed by a development identity provider the gateway does not trust (another data folder).
  untrustedPortal = await startPortalServer({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(dataDir, "untrusted"),
    gatewayUrl: cluster.gatewayUrl,
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  officer = await signedInContext(OFFICER);
  supervisor = await signedInContext(SUPERVISOR);
});

afterAll(async () => {
  for (const context of [officer, supervisor]) await context?.close();
  await browser?.close();
  await portal?.close();
  await deadGatewayPortal?.close();
  await untrustedPortal?.close();
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
    expect(log.data.accessLog).toContainEqual({
      userId: "demo:portal-pc-2290",
      userName: "PC Tom Okafor",
      role: "POLICE_SAFEGUARDING",
      organisation: "Avonvale Police, Missing persons unit",
      purpose: { code: "MISSING_EPISODE", reference: REFERENCE },
      outcome: "OK",
    });
  });
});

describe("who may open the card, and why", () => {
  it("asks a signed-out visitor to sign in, then comes back to the card (401)", async () => {
    const signedOut = await browser.newContext({ baseURL: portal.url });
    const page = await signedOut.newPage();
    const response = await page.goto(CARD);
    expect(response!.status()).toBe(401);
    expect(response!.headers()["cache-control"]).toBe("no-store");
    await expect(page.locator("h1").textContent()).resolves.toBe("Sign in to see the action card");
    expect(await page.content()).not.toContain("Amber");
    const link = page.getByRole("link", { name: "Sign in as a demo officer" });
    expect(await link.getAttribute("href")).toBe(`/sign-in/?return=${encodeURIComponent(CARD)}`);
    expect(await axeViolations(page)).toEqual([]);
    await link.click();
    await page.waitForURL("**/sign-in/**");
    await page.getByLabel(/Tom Okafor/).check();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => `${url.pathname}${url.search}` === CARD);
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
    expect(text).toContain("You are signed in as PS Gareth Moss (1102).");
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
    expect(await page.getByRole("link", { name: "Sign in as a demo officer" }).getAttribute("href")).toBe(
      "/sign-in/?return=%2Faction-card%2F",
    );
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
    const cookie = await sessionCookie(deadGatewayPortal);
    const response = await fetch(`${deadGatewayPortal.url}${CARD}`, { headers: { cookie } });
    expect(response.status).toBe(503);
    const html = await response.text();
    expect(html).toMatch(/The Safeguarding Gateway is not answering/);
    expect(html).toMatch(/could not be reached, so the action card for 999 000 0018 cannot be shown now/);
  });

  it("says when the gateway does not accept the portal's sign-in (503)", async () => {
    const cookie = await sessionCookie(untrustedPortal);
    const response = await fetch(`${untrustedPortal.url}${CARD}`, { headers: { cookie } });
    expect(response.status).toBe(503);
    const html = await response.text();
    expect(html).toMatch(/The Safeguarding Gateway did not accept your sign-in/);
    expect(html).not.toContain("Amber");
  });
});
