import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { openPortal, type Portal } from "./support.ts";

let portal: Portal;

beforeAll(async () => {
  portal = await openPortal();
});

afterAll(async () => {
  await portal?.close();
});

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

describe("term look-up from the keyboard alone", () => {
  it("finds a term as you type, moves with the arrow keys and opens it with Enter", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    await page.goto("/lookup/");

    // Skip link, then the first Tab lands in the look-up field.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Skip to main content");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).toBe("lookup-input");

    await page.keyboard.type("ICO");
    const first = page.locator("#lookup-option-0");
    await first.waitFor();
    expect(await first.textContent()).toContain("Interim care order");
    expect(await first.getAttribute("aria-selected")).toBe("true");
    const input = page.locator("#lookup-input");
    expect(await input.getAttribute("aria-expanded")).toBe("true");
    expect(await input.getAttribute("aria-activedescendant")).toBe("lookup-option-0");

    await page.keyboard.press("ArrowDown");
    expect(await input.getAttribute("aria-activedescendant")).toBe("lookup-option-1");
    expect(await page.locator("#lookup-option-1").getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("ArrowUp");
    expect(await input.getAttribute("aria-activedescendant")).toBe("lookup-option-0");

    await page.keyboard.press("Enter");
    await page.waitForURL("**/glossary/interim-care-order/");
    expect(await page.locator("h1").textContent()).toBe("Interim care order");
  });

  it("opens the best match even when Enter follows the last keystroke at once", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    await page.goto("/lookup/");
    await page.locator("#lookup-input").focus();
    await page.keyboard.type("recovery order");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/glossary/recovery-order/");
  });

  it("clears the search with Escape", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    await page.goto("/lookup/");
    await page.locator("#lookup-input").focus();
    await page.keyboard.type("section 20");
    await page.locator("#lookup-option-0").waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#lookup-input").inputValue()).toBe("");
    await expect.poll(() => page.locator("#lookup-results").isHidden()).toBe(true);
    expect(await page.locator("#lookup-input").getAttribute("aria-expanded")).toBe("false");
  });
});

describe("glossary terms inside lessons", () => {
  it("show their definition on keyboard focus and close with Escape", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    await page.goto("/modules/legal-status/");
    const button = page.locator(".app-term__button").first();
    const popover = page.locator(".app-term__popover").first();

    // Tab from the element just before the first term.
    await button.evaluate((element) => {
      const before = document.createElement("a");
      before.href = "#";
      before.id = "before-term";
      before.textContent = "start";
      element.closest("p")!.prepend(before);
    });
    await page.locator("#before-term").focus();
    await page.keyboard.press("Tab");
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    expect(await popover.isVisible()).toBe(true);
    expect(await popover.textContent()).toContain("Interim care order");

    await page.keyboard.press("Escape");
    expect(await button.getAttribute("aria-expanded")).toBe("false");
    expect(await popover.isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.className)).toContain("app-term__button");

    // Enter toggles it open again, and the full-entry link is reachable with Tab.
    await page.keyboard.press("Enter");
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => (document.activeElement as HTMLAnchorElement).getAttribute("href"))).toBe(
      "/glossary/interim-care-order/",
    );
    expect(await popover.isVisible()).toBe(true);
  });

  it("show their definition on hover and on tap", async () => {
    const context = await portal.context();
    const page = await context.newPage();
    await page.goto("/modules/legal-status/");
    const button = page.locator(".app-term__button").nth(1);
    await button.hover();
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    await page.mouse.move(0, 0);
    expect(await button.getAttribute("aria-expanded")).toBe("false");
    await button.click();
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    await page.locator("h1").click();
    expect(await button.getAttribute("aria-expanded")).toBe("false");
  });
});
