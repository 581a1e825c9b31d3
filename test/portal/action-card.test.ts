import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { startPortalServer, type PortalServer } from "@safeguarding/portal/server";
import { DEMO_CHILD, startCluster, type Cluster } from "../support/cluster.js";
import { axeViolations, CHROMIUM_ARGS } from "./support.ts";

let cluster: Cluster;
let portal: PortalServer;
let deadGatewayPortal: PortalServer;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;

/** A local port nothing listens on: the gateway is "down". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  cluster = await startCluster();
  dataDir = await mkdtemp(join(tmpdir(), "portal-action-card-"));
  portal = await startPortalServer({ port: 0, host: "127.0.0.1", dataDir, gatewayUrl: cluster.gatewayUrl });
  deadGatewayPortal = await startPortalServer({
    port: 0,
    host: "127.0.0.1",
    dataDir: join(dataDir, "dead"),
    gatewayUrl: `http://127.0.0.1:${await closedPort()}/graphql`,
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  context = await browser.newContext({ baseURL: portal.url });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await portal?.close();
  await deadGatewayPortal?.close();
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the printable action card for 999 000 0018", () => {
  it("renders the card on the server, in the order an officer needs it", async () => {
    const page = await context.newPage();
    const response = await page.goto(`/action-card/${DEMO_CHILD}`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()["cache-control"]).toBe("no-store");
    await expect(page.locator("h1").textContent()).resolves.toBe("Action card: Amber Whitlock");
    expect(await page.locator(".app-card h2").allTextContents()).toEqual([
      "1. Who the child is",
      "2. Legal status: Interim care order (C1)",
      "3. Where to take the child, and where not to",
      "4. Who to call now, in this order",
      "5. Current risks and open protocol steps",
      "6. Decisions already made that apply out of hours",
    ]);
    const text = (await page.locator(".app-card").textContent())!;
    expect(text).toContain("999 000 0018");
    expect(text).toContain("known as Ambs");
    expect(text).toContain("Amber is missing now.");
    expect(text).toContain("14 Orchard Lane, Avonvale AV3 2QT");
    expect(text).toMatch(/Do not hand the child to a parent/);
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
    // Every listed item names the agency it comes from.
    for (const item of await page
      .locator(".app-card li")
      .filter({ hasNot: page.locator("ul") })
      .all()) {
      const inDuties = await item.evaluate((li) => !!li.closest(".app-card__duties"));
      if (!inDuties)
        expect(await item.locator(".app-card__source").textContent()).toMatch(
          /^(Police|Social care|Health), .+; as of \d/,
        );
    }
    await page.close();
  });

  it("prints on exactly one A4 page", async () => {
    const page = await context.newPage();
    await page.goto(`/action-card/${DEMO_CHILD}`);
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    const pages = pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
    expect(pages).toHaveLength(1);
    await page.close();
  });

  it("has no WCAG 2.2 A or AA violations", async () => {
    const page = await context.newPage();
    await page.goto(`/action-card/${DEMO_CHILD}`);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("reaching the card from the portal", () => {
  it("the Action card page takes an NHS number and opens the card", async () => {
    const page = await context.newPage();
    await page.goto("/");
    await page.getByRole("link", { name: "Action card" }).click();
    await page.waitForURL("**/action-card/");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel("NHS number").fill("999 000 0018");
    await page.getByRole("button", { name: "Show action card" }).click();
    await page.waitForURL(`**/action-card/${DEMO_CHILD}`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Action card: Amber Whitlock");
    await page.close();
  });

  it("explains a wrong NHS number with the form to try again (400)", async () => {
    const page = await context.newPage();
    const response = await page.goto("/action-card/?nhs=999+000+0019");
    expect(response!.status()).toBe(400);
    expect(await page.locator(".govuk-error-summary").textContent()).toMatch(
      /999 000 0019 is not a valid NHS number: its check digit is wrong/,
    );
    expect(await page.getByLabel("NHS number").inputValue()).toBe("999 000 0019");
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("says when no agency holds the child (404)", async () => {
    const response = await context.request.get("/action-card/9990000077");
    expect(response.status()).toBe(404);
    expect(await response.text()).toMatch(/no record of NHS number 999 000 0077/);
  });

  it("says the gateway is not answering when it is down (503)", async () => {
    const response = await fetch(`${deadGatewayPortal.url}/action-card/${DEMO_CHILD}`);
    expect(response.status).toBe(503);
    const html = await response.text();
    expect(html).toMatch(/The Safeguarding Gateway is not answering/);
    expect(html).toMatch(/could not be reached, so the action card for 999 000 0018 cannot be shown now/);
  });
});
