import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_OPERATIONS } from "@safeguarding/gateway/explorer-examples";
import { startCluster, type Cluster } from "../support/cluster.js";
import { CHROMIUM_ARGS } from "../portal/support.js";

/**
 * Hosts that appear in the bundled libraries' text but are never fetched: XML namespaces, JSON Schema identifiers,
 * and links in error messages and help texts (a user may follow one; the page never loads one). Any other host in
 * the bundle fails the test, and the browser test below checks that no request leaves the gateway and its provider.
 */
const HOSTS_IN_TEXT_ONLY = new Set([
  "www.w3.org",
  "json-schema.org",
  "github.com",
  "code.visualstudio.com",
  "react.dev",
  "prettier.io",
  "yarnpkg.com",
  "microsoft.com",
  "en.wikipedia.org",
  "commonmark.org",
]);

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost"]);

function hostsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/https?:\/\/([a-z0-9.-]+)/gi)].map((match) => match[1].toLowerCase()));
}

describe("the API explorer, in development", () => {
  let cluster: Cluster;
  let origin: string;
  beforeAll(async () => {
    cluster = await startCluster({ explorer: true });
    origin = new URL(cluster.gatewayUrl).origin;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("serves its page at /explorer under a policy that allows the gateway itself and the sign-in's token request", async () => {
    const response = await fetch(`${origin}/explorer`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain(`connect-src 'self' ${cluster.issuer};`);
    expect(policy).toContain("frame-ancestors 'none'");
    // Every source a policy directive names is the gateway itself or, for connect-src, the identity provider.
    const sources = policy.split(";").flatMap((directive) => directive.trim().split(/\s+/).slice(1));
    expect(
      sources.filter((source) => !["'self'", "'none'", "'unsafe-inline'", cluster.issuer].includes(source)),
    ).toEqual([]);
    expect(await response.text()).toMatch(/<script type="module" src="\/explorer\/assets\/explorer-\w+\.js">/);
  });

  it("sends a browser that opens / or /graphql to the explorer, and leaves GraphQL where it was", async () => {
    for (const path of ["/", "/graphql"]) {
      const page = await fetch(`${origin}${path}`, { headers: { accept: "text/html" }, redirect: "manual" });
      expect(page.status).toBe(302);
      expect(page.headers.get("location")).toBe("/explorer");
    }
    const query = await fetch(
      `${origin}/graphql?query=${encodeURIComponent('{ glossaryTerm(id: "interim-care-order") { id } }')}`,
      // Apollo's CSRF prevention runs a GET only with a header a cross-site page could not send without a preflight.
      { headers: { accept: "text/html, application/json", "apollo-require-preflight": "true" }, redirect: "manual" },
    );
    expect(query.status).toBe(200);
    expect(await query.json()).toEqual({ data: { glossaryTerm: { id: "interim-care-order" } } });
  });

  it("tells the page where to sign in and what to offer: the demo users, purposes and the README's examples", async () => {
    const response = await fetch(`${origin}/explorer/config.json`);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const config = (await response.json()) as Record<string, any>;
    expect(config.signIn).toMatchObject({ issuer: cluster.issuer, clientId: "safeguarding-api-explorer" });
    expect(config.demoUsers).toContainEqual(
      expect.objectContaining({ id: "social-worker", role: "SOCIAL_WORKER", note: expect.any(String) }),
    );
    expect(config.purposes.map((p: { code: string }) => p.code)).toContain("MISSING_EPISODE");
    expect(config.examples.map((e: { name: string }) => e.name)).toEqual(EXAMPLE_OPERATIONS.map((e) => e.name));
  });

  it("serves the bundle it names, typed, kept for a year, gzipped when asked, with no address outside the gateway", async () => {
    const html = await (await fetch(`${origin}/explorer`)).text();
    const seen = new Set<string>();
    const queue = [...html.matchAll(/\/explorer\/assets\/[\w.-]+/g)].map((match) => match[0]);
    const foreign = new Set<string>();
    for (const host of hostsIn(html)) if (!LOCAL_HOSTS.has(host)) foreign.add(host);
    while (queue.length) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("cache-control"), path).toBe("public, max-age=31536000, immutable");
      const type = response.headers.get("content-type") ?? "";
      if (path.endsWith(".js")) expect(type, path).toBe("text/javascript; charset=utf-8");
      if (path.endsWith(".css")) expect(type, path).toBe("text/css; charset=utf-8");
      if (path.endsWith(".ttf")) expect(type, path).toBe("font/ttf");
      if (!/\.(js|css)$/.test(path)) continue;
      // fetch asks for gzip and unpacks it: what arrives must be the bundle itself.
      expect(response.headers.get("content-encoding"), path).toBe("gzip");
      const text = await response.text();
      for (const host of hostsIn(text)) if (!LOCAL_HOSTS.has(host) && !HOSTS_IN_TEXT_ONLY.has(host)) foreign.add(host);
      // The workers are named in the page script, the fonts in the stylesheet.
      for (const match of text.matchAll(/\/explorer\/assets\/[\w.-]+/g)) queue.push(match[0]);
    }
    expect([...seen].filter((path) => /\.worker-\w+\.js$/.test(path))).toHaveLength(3);
    expect([...seen].some((path) => path.endsWith(".css"))).toBe(true);
    expect([...foreign]).toEqual([]);
  });

  it("serves nothing under /explorer that the build did not list, whatever the path says", async () => {
    for (const path of [
      "/explorer/assets/../manifest.json",
      "/explorer/assets/%2e%2e%2fmanifest.json",
      "/explorer/assets/nothing.js",
      "/explorer/manifest.json",
      "/explorer/assets/",
    ]) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
    }
    expect((await fetch(`${origin}/explorer`, { method: "POST" })).status).toBe(405);
  });

  it("runs every example as the demo user it names, without an error", async () => {
    for (const example of EXAMPLE_OPERATIONS) {
      const result = await cluster.query(
        example.query,
        undefined,
        example.signInAs ? { as: example.signInAs } : { authorization: null },
      );
      expect(result.errors, example.name).toBeUndefined();
      expect(
        Object.values(result.data ?? {}).every((value) => value !== null),
        example.name,
      ).toBe(true);
    }
  });

  describe("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
        args: CHROMIUM_ARGS,
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("signs in as a demo user at the provider, runs the demo child example and shows her record", async () => {
      const context = await browser.newContext();
      const requested = new Set<string>();
      context.on("request", (request) => requested.add(new URL(request.url()).origin));
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("console", (message) => {
        // A failed load is reported below with its address.
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
          problems.push(message.text());
      });
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(`${origin}/explorer`);
      expect(await page.locator(".sg-banner").innerText()).toMatch(/^Development only\./);
      await page.getByRole("button", { name: "Sign in as Leah Marsh" }).click();

      // The provider's own sign-in page: the hinted user is confirmed there.
      await page.waitForURL(new RegExp(`^${cluster.issuer}/interaction/`));
      await page.locator('button[name="user"][value="social-worker"]').click();
      await page.waitForURL(`${origin}/explorer`);
      await page.locator(".sg-session", { hasText: "Signed in as" }).waitFor();
      expect(await page.locator(".sg-session").innerText()).toMatch(/Leah Marsh · SOCIAL_WORKER/);

      await page.getByRole("button", { name: "Show Examples" }).click();
      await page.getByRole("button", { name: "The demo child, joined" }).click();
      await page.locator(".graphiql-execute-button").click();
      const result = page.locator(".result-window");
      await result.getByText('"givenName": "Amber"').waitFor({ timeout: 20_000 });
      expect(await result.innerText()).toMatch(/"legalStatus"/);

      // The token never reached the page's address or the browser's lasting storage.
      expect(page.url()).not.toMatch(/code=|access_token/);
      const stored = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
      expect(stored).not.toMatch(/eyJ/);
      expect(problems).toEqual([]);
      expect([...requested].sort()).toEqual([cluster.issuer, origin].sort());
      await context.close();
    });
  });
});

describe("the API explorer, in production", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ env: { NODE_ENV: "production" } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("is not there: /explorer and its files are 404s like any unknown path", async () => {
    const origin = new URL(cluster.gatewayUrl).origin;
    for (const path of ["/explorer", "/explorer/callback", "/explorer/config.json"]) {
      const response = await fetch(`${origin}${path}`, { headers: { accept: "text/html" } });
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({
        error: { code: "NOT_FOUND", message: "Nothing here: GraphQL is served at /graphql." },
      });
    }
  });

  it("serves no page to a browser opening / or /graphql: no landing page, from a CDN or anywhere", async () => {
    const origin = new URL(cluster.gatewayUrl).origin;
    for (const path of ["/", "/graphql"]) {
      for (const authorization of [undefined, `Bearer ${await cluster.token("control-room")}`]) {
        const response = await fetch(`${origin}${path}`, {
          headers: { accept: "text/html", ...(authorization ? { authorization } : {}) },
          redirect: "manual",
        });
        expect(response.headers.get("content-type"), path).toMatch(/^application\/json/);
        expect(await response.text(), path).not.toMatch(/<html|<script/i);
      }
    }
  });
});
