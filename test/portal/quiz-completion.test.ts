import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerKey, chooseDemoUser, openPortal, type Portal } from "./support.ts";

let portal: Portal;

beforeAll(async () => {
  portal = await openPortal();
});

afterAll(async () => {
  await portal?.close();
});

describe("completing a module", () => {
  it("signs in, passes the quiz, and shows the completion to the supervisor and on the certificate", async () => {
    const key = await answerKey("missing-children");
    const officer = await portal.context();
    const page = await officer.newPage();

    // Signing in is the identity provider's page, and it comes back to the quiz.
    await page.goto("/sign-in?return=%2Fmodules%2Fmissing-children%2Fquiz%2F");
    await chooseDemoUser(page, "pc-2290");
    await page.waitForURL("**/modules/missing-children/quiz/");
    await expect.poll(() => page.locator("[data-session-status]").textContent()).toContain("PC Tom Okafor");

    // Submitting with a question unanswered shows the error summary and writes nothing.
    for (const question of key.slice(1)) await page.locator(`#${question.id}-${question.answer}`).check();
    await page.getByRole("button", { name: "Submit answers" }).click();
    const summary = page.locator(".govuk-error-summary");
    await summary.waitFor();
    expect(await summary.textContent()).toContain("Choose an answer for question 1");
    expect(await page.title()).toMatch(/^Error: /);

    // One wrong answer out of ten is 90 %: a pass.
    await page.locator(`#${key[0]!.id}-${key[0]!.wrong}`).check();
    await page.getByRole("button", { name: "Submit answers" }).click();
    const panel = page.locator(".govuk-panel");
    await panel.waitFor();
    expect(await panel.textContent()).toContain(`You scored ${key.length - 1} out of ${key.length}`);
    expect(await page.locator(`#${key[0]!.id}-feedback`).textContent()).toContain("Not the best answer");
    const correctFeedback = await page.locator(`#${key[1]!.id}-feedback`).textContent();
    expect(correctFeedback).toContain("Correct");
    expect(correctFeedback).not.toContain("null");

    await page.getByRole("link", { name: "View and print your certificate" }).click();
    await page.waitForURL("**/modules/missing-children/certificate/");
    const certificate = page.locator("[data-certificate-body]");
    await certificate.waitFor();
    expect(await certificate.textContent()).toContain("PC Tom Okafor");
    expect(await certificate.textContent()).toContain("Module 3: Missing children");
    const certificateId = await page.locator("[data-certificate-id]").textContent();
    expect(certificateId).toMatch(/^SG-[0-9A-F]{10}$/);

    const supervisor = await portal.context("insp-0871");
    const view = await supervisor.newPage();
    await view.goto("/supervisor/");
    const row = view.locator('tr[data-officer="demo:pc-2290"]');
    await row.waitFor();
    expect(await row.locator('[data-officer-module="missing-children"]').textContent()).toContain("Completed");
    expect(await row.locator('[data-officer-module="legal-status"]').textContent()).toContain("Not started");
    expect(await row.locator("[data-officer-total]").textContent()).toBe("1 of 6");
  });

  it("records a fail without a certificate", async () => {
    const key = await answerKey("exploitation");
    const context = await portal.context("dc-3318");
    const page = await context.newPage();
    await page.goto("/modules/exploitation/quiz/");
    for (const [index, question] of key.entries()) {
      await page.locator(`#${question.id}-${index < 7 ? question.answer : question.wrong}`).check();
    }
    await page.getByRole("button", { name: "Submit answers" }).click();
    const result = page.locator("[data-quiz-result] h2");
    await result.waitFor();
    expect(await result.textContent()).toBe(`You scored 7 out of ${key.length} (70%)`);

    await page.goto("/modules/exploitation/certificate/");
    await expect
      .poll(() => page.locator("[data-certificate]").textContent())
      .toContain("You have not completed module 6");
  });

  it("asks a signed-out officer to sign in before submitting", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    await page.goto("/modules/legal-status/quiz/");
    await page.locator("[data-quiz-sign-in]").waitFor({ state: "visible" });
    expect(await page.locator("[data-quiz-sign-in]").textContent()).toContain("Sign in before you submit");
    expect(await page.locator("[data-quiz-sign-in] a").getAttribute("href")).toBe(
      "/sign-in?return=%2Fmodules%2Flegal-status%2Fquiz%2F",
    );
  });
});
