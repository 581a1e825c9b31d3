import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { axeViolations, chooseDemoUser, openPortal, type Portal } from "./support.ts";

/**
 * Signing in and out of the portal in Chromium, through the development identity provider's own pages: the journey
 * an officer takes, with axe on every page of it.
 */

let portal: Portal;

beforeAll(async () => {
  portal = await openPortal();
});

afterAll(async () => {
  await portal?.close();
});

const onProvider = (page: Page) => page.waitForURL((url) => url.origin === portal.issuer);

describe("signing in through the identity provider", () => {
  it("sends a signed-out visit to a page about the officer to the provider's sign-in page, and back to it", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    await page.goto("/progress/");
    await onProvider(page);
    await expect(page.locator("h1").textContent()).resolves.toBe("Sign in to Safeguarding training portal");
    expect(await page.locator('[role="note"]').textContent()).toMatch(/^Development sign-in: demo users only/);
    expect(await axeViolations(page)).toEqual([]);
    await chooseDemoUser(page, "pc-2290");
    await page.waitForURL(`${portal.url}/progress/`);
    await expect
      .poll(() => page.locator("[data-progress] .govuk-body-l").textContent())
      .toBe("PC Tom Okafor, Avonvale Police, Missing persons unit: you have completed 0 of 6 modules.");
    expect(await page.locator("[data-session-status]").textContent()).toContain("Signed in as PC Tom Okafor.");
    // The session is a random id in an httpOnly, SameSite=Lax cookie (Secure when the portal is served over https);
    // the sign-in's own cookie is gone once used. (Cookies know hosts, not ports: the provider's are here too.)
    const cookies = (await context.cookies(portal.url)).filter((cookie) => cookie.name.startsWith("portal_"));
    expect(cookies.map((cookie) => cookie.name)).toEqual(["portal_session"]);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false, path: "/" });
    expect(cookies[0].value).toMatch(/^[\w-]{43}$/);
    await context.close();
  });

  it("says so when the officer cancels at the provider, with a way to try again", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    await page.goto("/sign-in?return=%2Fsupervisor%2F");
    await onProvider(page);
    await page.getByRole("button", { name: "Cancel sign-in" }).click();
    await page.waitForURL(`${portal.url}/auth/callback?**`);
    await expect(page.locator("h1").textContent()).resolves.toBe("You have not signed in");
    expect(await page.locator("main").getByRole("link", { name: "Sign in", exact: true }).getAttribute("href")).toBe(
      "/sign-in?return=%2Fsupervisor%2F",
    );
    expect(await axeViolations(page)).toEqual([]);
    expect((await context.cookies(portal.url)).filter((cookie) => cookie.name.startsWith("portal_"))).toEqual([]);
    await context.close();
  });

  it("explains a sign-in that cannot be finished (opened again, or from another browser)", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    const response = await page.goto("/auth/callback?code=from-somewhere&state=else");
    expect(response!.status()).toBe(400);
    await expect(page.locator("h1").textContent()).resolves.toBe("This sign-in has expired");
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});

describe("signing out", () => {
  it("ends the portal's session and the provider's, and comes back to the home page", async () => {
    const context = await portal.context("pc-4127");
    const page = await context.newPage();
    await page.goto("/");
    await page.locator("[data-session-status] strong").waitFor();
    const session = (await context.cookies(portal.url)).find((cookie) => cookie.name === "portal_session")!;
    await page.locator("[data-session-status]").getByRole("button", { name: "Sign out" }).click();
    // The provider asks whether to sign out of it too.
    await onProvider(page);
    await expect(page.locator("h1").textContent()).resolves.toBe("Sign out of Safeguarding training portal?");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${portal.url}/`);
    expect(await page.locator("[data-session-status]").textContent()).toContain("Sign in to record your progress.");
    // The old session id names nobody: the session was ended on the server, not only forgotten by the browser.
    const replayed = await context.request.get("/api/session", {
      headers: { cookie: `${session.name}=${session.value}` },
    });
    expect((await replayed.json()).officer).toBeNull();
    // And the provider's session is over: signing in asks who again instead of coming straight back.
    await page.goto("/sign-in?return=%2F");
    await onProvider(page);
    await expect(page.locator("h1").textContent()).resolves.toBe("Sign in to Safeguarding training portal");
    await context.close();
  });

  it("has a page of its own for browsers without the header's script", async () => {
    const context = await portal.context("dc-3318");
    const page = await context.newPage();
    await page.goto("/sign-out");
    await expect(page.locator("main h1").textContent()).resolves.toBe("Sign out");
    expect(await axeViolations(page)).toEqual([]);
    await page.locator("main").getByRole("button", { name: "Sign out" }).click();
    await onProvider(page);
    await context.close();
  });
});

describe("a sign-in to the gateway that has run out", () => {
  let shortLived: Portal;
  beforeAll(async () => {
    // Tokens of 20 s: less than the margin the portal keeps, so the card always finds it run out.
    shortLived = await openPortal({ accessTokenTtlSeconds: 20 });
  });
  afterAll(async () => {
    await shortLived?.close();
  });

  it("is explained on the card page, and signing in again comes back to the card", async () => {
    const card = "/action-card/9990000018?purpose=MISSING_EPISODE&reference=INC-2026-004512";
    const context = await shortLived.context("pc-2290");
    const page = await context.newPage();
    const response = await page.goto(card);
    expect(response!.status()).toBe(401);
    await expect(page.locator("h1").textContent()).resolves.toBe("Your sign-in to the gateway has expired");
    expect(await axeViolations(page)).toEqual([]);
    // The provider still has the officer signed in: it answers at once, with a new token, and back to the card.
    const providerVisits: string[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(shortLived.issuer)) providerVisits.push(new URL(request.url()).pathname);
    });
    await page.getByRole("link", { name: "Sign in again" }).click();
    await page.waitForURL(`${shortLived.url}${card}`);
    expect(providerVisits).toContain("/auth");
    expect(providerVisits.some((path) => path.startsWith("/interaction/"))).toBe(false);
    await context.close();
  });
});
