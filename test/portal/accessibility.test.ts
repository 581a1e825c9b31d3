import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { answerKey, axeViolations, openPortal, type Portal } from "./support.ts";

let portal: Portal;
let anonymous: BrowserContext;
let officer: BrowserContext;
let supervisor: BrowserContext;

beforeAll(async () => {
  portal = await openPortal();
  anonymous = await portal.context();
  officer = await portal.context("pc-4127");
  supervisor = await portal.context("ps-1102");
  // Give the officer a completion so the certificate and supervisor pages show real content.
  const key = await answerKey("legal-status");
  const response = await officer.request.post("/api/attempts", {
    data: {
      moduleId: "legal-status",
      answers: Object.fromEntries(key.map((question) => [question.id, question.answer])),
    },
  });
  expect(response.status()).toBe(201);
});

afterAll(async () => {
  await portal?.close();
});

/** Opens a page in the given context and waits for its script-filled content, if any. */
async function open(context: BrowserContext, path: string, ready?: (page: Page) => Promise<unknown>): Promise<Page> {
  const page = await context.newPage();
  await page.goto(path);
  if (ready) await ready(page);
  return page;
}

const pageTypes: Array<{
  name: string;
  path: string;
  as?: "officer" | "supervisor";
  ready?: (page: Page) => Promise<unknown>;
}> = [
  // The home page fills in the signed-in line from /api/session: wait for it so axe sees the final page.
  { name: "home", path: "/", as: "officer", ready: (page) => page.locator("[data-session-status] strong").waitFor() },
  {
    name: "course outline",
    path: "/course/",
    as: "officer",
    ready: (page) => page.locator(".govuk-tag").first().waitFor(),
  },
  {
    name: "lesson, with a term definition open",
    path: "/modules/missing-children/",
    ready: (page) => page.locator(".app-term__button").first().click(),
  },
  { name: "glossary index", path: "/glossary/" },
  { name: "term", path: "/glossary/interim-care-order/" },
  {
    name: "look-up with results",
    path: "/lookup/",
    ready: async (page) => {
      await page.locator("#lookup-input").fill("care order");
      await page.locator("#lookup-option-1").waitFor();
    },
  },
  {
    name: "certificate",
    path: "/modules/legal-status/certificate/",
    as: "officer",
    ready: (page) => page.locator("[data-certificate-body]").waitFor(),
  },
  {
    name: "supervisor view",
    path: "/supervisor/",
    as: "supervisor",
    ready: (page) => page.locator('tr[data-officer="demo:pc-4127"]').waitFor(),
  },
  { name: "my progress", path: "/progress/", as: "officer", ready: (page) => page.locator("table").waitFor() },
  {
    name: "search with results",
    path: "/search/?q=recovery",
    ready: (page) => page.locator(".app-search-result").first().waitFor(),
  },
];

// The pages of signing in and out (the provider's, and the portal's own when it cannot finish) are checked along the
// way in sign-in.test.ts.
describe("axe: WCAG 2.2 A and AA on every page type", () => {
  for (const type of pageTypes) {
    it(`${type.name} (${type.path}) has no violations`, async () => {
      const context = type.as === "officer" ? officer : type.as === "supervisor" ? supervisor : anonymous;
      const page = await open(context, type.path, type.ready);
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    });
  }

  // The quiz page type is checked in its two filled-in states, which include everything the blank form has.
  it("quiz with its error summary has no violations", async () => {
    const page = await open(officer, "/modules/out-of-hours/quiz/");
    await page.getByRole("button", { name: "Submit answers" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it("quiz with marked answers has no violations", async () => {
    const key = await answerKey("mental-health");
    const page = await open(officer, "/modules/mental-health/quiz/");
    for (const question of key) await page.locator(`#${question.id}-${question.wrong}`).check();
    await page.getByRole("button", { name: "Submit answers" }).click();
    await page.locator("[data-quiz-result] h2").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
