// Lighthouse figures for the built portal: home, a lesson and a glossary term.
// Usage (after `npm run build`): npm run lighthouse [-- --desktop] [-- --save]
// Targets: performance >= 95, accessibility 100. This prints figures; it is not a test.
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { startPortalServer } from "../server-dist/main.js";

const PAGES = [
  { name: "Home", path: "/" },
  { name: "Lesson", path: "/modules/missing-children/" },
  { name: "Term", path: "/glossary/interim-care-order/" },
];
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const TARGETS = { performance: 95, accessibility: 100 };

const desktop = process.argv.includes("--desktop");
const save = process.argv.includes("--save");
const chromePath = process.env.CHROME_PATH || "/usr/bin/chromium";

/** Starts Chromium with a DevTools port chosen by the OS and resolves with that port. */
function launchChromium(profileDir) {
  const child = spawn(
    chromePath,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--remote-debugging-port=0",
      `--user-data-dir=${profileDir}`,
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start within 20 s:\n${output}`)), 20_000);
    child.once("error", reject);
    child.stderr.on("data", (chunk) => {
      output += chunk;
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), child });
      }
    });
  });
}

const work = await mkdtemp(join(tmpdir(), "portal-lighthouse-"));
const server = await startPortalServer({ port: 0, host: "127.0.0.1", dataDir: join(work, "data") });
const { port, child } = await launchChromium(join(work, "profile"));
const rows = [];
try {
  for (const page of PAGES) {
    const url = server.url + page.path;
    const result = await lighthouse(
      url,
      { port, output: "html", logLevel: "error", onlyCategories: CATEGORIES },
      desktop ? desktopConfig : undefined,
    );
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { categories, audits } = result.lhr;
    rows.push({
      page: page.name,
      path: page.path,
      ...Object.fromEntries(CATEGORIES.map((id) => [id, Math.round((categories[id]?.score ?? 0) * 100)])),
      lcp: audits["largest-contentful-paint"]?.displayValue ?? "",
      cls: audits["cumulative-layout-shift"]?.displayValue ?? "",
      tbt: audits["total-blocking-time"]?.displayValue ?? "",
    });
    if (save) {
      const reports = join(dirname(fileURLToPath(import.meta.url)), "..", "lighthouse-reports");
      await mkdir(reports, { recursive: true });
      await writeFile(join(reports, `${page.name.toLowerCase()}${desktop ? "-desktop" : ""}.html`), result.report);
    }
  }
} finally {
  child.kill();
  await server.close();
  await rm(work, { recursive: true, force: true });
}

console.log(`Lighthouse 13 (${desktop ? "desktop" : "mobile, simulated slow 4G"}) against the built portal`);
console.table(rows);
const misses = rows.flatMap((row) =>
  Object.entries(TARGETS)
    .filter(([category, target]) => row[category] < target)
    .map(([category, target]) => `${row.page} ${category} ${row[category]} < ${target}`),
);
console.log(
  misses.length === 0
    ? "All targets met (performance >= 95, accessibility 100)."
    : `Below target: ${misses.join("; ")}`,
);
