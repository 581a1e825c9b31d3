import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { startIdentityProvider, type RunningIdentityProvider } from "@safeguarding/identity-provider";
import { loadCourse, startPortalServer, type PortalServer } from "@safeguarding/portal/server";

/** Debian's Chromium, never a downloaded one; flags from the stack notes. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const launchChromium = () =>
  chromium.launch({ executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });

/** The portal's client secret at the tests' identity providers. */
export const PORTAL_CLIENT_SECRET = "browser-test-portal-secret";

/**
 * A local port nothing listens on now: a portal is given one before it starts, because the identity provider must
 * know its callback address first. Also where a "down" gateway is.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The provider's demo-user picker: choose `user`, as an officer does by pressing their name. */
export async function chooseDemoUser(page: Page, user: string): Promise<void> {
  await page.locator("h1", { hasText: /^Sign in to / }).waitFor();
  await page.locator(`button[name="user"][value="${user}"]`).click();
}

/**
 * Signs the context in as `user` the way an officer does: the portal's /sign-in, the identity provider's own page
 * in the browser, and back to the portal's home page.
 */
export async function signInThroughProvider(context: BrowserContext, portalUrl: string, user: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${portalUrl}/sign-in?return=%2F`);
  await chooseDemoUser(page, user);
  await page.waitForURL(`${portalUrl}/`);
  await page.close();
}

export interface Portal {
  url: string;
  /** The identity provider the portal signs in at. */
  issuer: string;
  browser: Browser;
  /** A fresh browser context, optionally signed in through the provider as a demo user (`pc-4127`…). */
  context(user?: string): Promise<BrowserContext>;
  close(): Promise<void>;
}

export interface PortalOptions {
  /** How long the provider's access tokens last (an hour unless a test needs one that runs out). */
  accessTokenTtlSeconds?: number;
  /** Where the action card asks; nothing answers there unless a test says. */
  gatewayUrl?: string;
}

/**
 * The built portal (portal/dist + portal/server-dist) with an empty SQLite store in a temp dir, and its own
 * development identity provider in process, with the portal registered at it.
 */
export async function openPortal(options: PortalOptions = {}): Promise<Portal> {
  const dataDir = await mkdtemp(join(tmpdir(), "portal-browser-"));
  let idp: RunningIdentityProvider | undefined;
  let server: PortalServer | undefined;
  let browser: Browser | undefined;
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider({
      port: 0,
      host: "127.0.0.1",
      dataDir: join(dataDir, "idp"),
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      portal: {
        clientSecret: PORTAL_CLIENT_SECRET,
        redirectUris: [`${url}/auth/callback`],
        postLogoutRedirectUris: [`${url}/`],
      },
    });
    server = await startPortalServer({
      port,
      host: "127.0.0.1",
      dataDir,
      gatewayUrl: options.gatewayUrl ?? `http://127.0.0.1:${await freePort()}/graphql`,
      oidc: { issuer: idp.url, clientSecret: PORTAL_CLIENT_SECRET },
    });
    browser = await launchChromium();
  } catch (error) {
    await server?.close();
    await idp?.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const url = server.url;
  const openBrowser = browser;
  const provider = idp;
  const contexts: BrowserContext[] = [];
  return {
    url,
    issuer: provider.url,
    browser: openBrowser,
    async context(user) {
      const context = await openBrowser.newContext({ baseURL: url });
      contexts.push(context);
      if (user) await signInThroughProvider(context, url, user);
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await openBrowser.close();
      await server!.close();
      await provider.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The answer key, read from the same course data the server scores against. */
export async function answerKey(moduleId: string): Promise<Array<{ id: string; answer: string; wrong: string }>> {
  const course = await loadCourse();
  const quiz = course.quizzes.get(moduleId);
  if (!quiz) throw new Error(`No quiz for module ${moduleId}`);
  return quiz.questions.map((question) => ({
    id: question.id,
    answer: question.answer,
    wrong: question.options.find((option) => option.id !== question.answer)!.id,
  }));
}

export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Runs axe for WCAG 2.2 A/AA and returns the violations as readable lines (empty when clean). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Only violations are needed; skipping passes and incomplete results roughly halves axe's run time.
  const results = await new AxeBuilder({ page })
    .options({ runOnly: { type: "tag", values: WCAG_TAGS }, resultTypes: ["violations"] })
    .analyze();
  return results.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
}
