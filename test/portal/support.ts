import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
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

export interface Portal {
  url: string;
  browser: Browser;
  /** A fresh browser context, optionally already signed in as a demo officer. */
  context(officerId?: string): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** The built portal (portal/dist + portal/server-dist) on port 0 with an empty SQLite store in a temp dir. */
export async function openPortal(): Promise<Portal> {
  const dataDir = await mkdtemp(join(tmpdir(), "portal-browser-"));
  let server: PortalServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startPortalServer({ port: 0, host: "127.0.0.1", dataDir });
    browser = await chromium.launch({
      executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    });
  } catch (error) {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const url = server.url;
  const openBrowser = browser;
  const contexts: BrowserContext[] = [];
  return {
    url,
    browser: openBrowser,
    async context(officerId) {
      const context = await openBrowser.newContext({ baseURL: url });
      contexts.push(context);
      if (officerId) {
        const response = await context.request.post("/api/session", { data: { officerId } });
        if (!response.ok()) throw new Error(`Demo sign-in as ${officerId} failed: ${response.status()}`);
      }
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await openBrowser.close();
      await server!.close();
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
