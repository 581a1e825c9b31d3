import { existsSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { openStore } from "@safeguarding/shared/store";
import { startIdentityProvider, type RunningIdentityProvider } from "@safeguarding/identity-provider";
import { DemoBrowser } from "@safeguarding/identity-provider/client";
import { loadCourse, startPortalServer, type PortalServer } from "./main.ts";
import { progressMigrations, type PortalDatabase } from "./progress-store.ts";
import { safeReturnPath } from "./sign-in-routes.ts";

const course = await loadCourse();
const quiz = course.quizzes.get("legal-status")!;
const answersScoring = (correct: number) =>
  Object.fromEntries(
    quiz.questions.map((question, index) => [
      question.id,
      index < correct ? question.answer : question.options.find((option) => option.id !== question.answer)!.id,
    ]),
  );

/** A port nothing listens on yet: the provider must know the portal's callback address before the portal starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const CLIENT_SECRET = "portal-test-secret";

interface StoreUnderTest {
  name: string;
  /** A database URL for the server (undefined: SQLite in the temp dir) and how to remove it afterwards. */
  create(): Promise<{ databaseUrl: string | undefined; drop(): Promise<void> }>;
}

const stores: StoreUnderTest[] = [
  { name: "SQLite", create: async () => ({ databaseUrl: undefined, drop: async () => {} }) },
];

// The same tests against PostgreSQL when a server is offered (CI sets PORTAL_TEST_DATABASE_URL).
const postgresUrl = process.env.PORTAL_TEST_DATABASE_URL;
if (postgresUrl) {
  stores.push({
    name: "PostgreSQL",
    async create() {
      const name = `portal_test_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      return {
        databaseUrl: url.toString(),
        async drop() {
          const cleanup = new pg.Client({ connectionString: postgresUrl });
          await cleanup.connect();
          await cleanup.query(`drop database if exists ${name} with (force)`);
          await cleanup.end();
        },
      };
    },
  });
}

describe.each(stores)("portal server with $name", (store) => {
  let server: PortalServer;
  let idp: RunningIdentityProvider;
  let gateway: Server;
  /** The Authorization headers the portal sent to the gateway. */
  const bearers: string[] = [];
  let dir: string;
  let databaseUrl: string | undefined;
  let dropStore: () => Promise<void> = async () => {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portal-server-"));
    const site = join(dir, "site");
    await mkdir(join(site, "course"), { recursive: true });
    await writeFile(join(site, "index.html"), "<!doctype html><title>Home</title>");
    await writeFile(join(site, "course", "index.html"), "<!doctype html><title>Course</title>");
    await writeFile(join(site, "404.html"), "<!doctype html><title>Not found</title><main></main>");
    const created = await store.create();
    databaseUrl = created.databaseUrl;
    dropStore = created.drop;
    // A stand-in for the gateway that notes the bearer token and refuses the read, as it would for a role.
    gateway = createServer((request, response) => {
      bearers.push(String(request.headers.authorization ?? ""));
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ data: null, errors: [{ message: "no", extensions: { code: "FORBIDDEN" } }] }));
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    const port = await freePort();
    const portalUrl = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider({
      port: 0,
      host: "127.0.0.1",
      dataDir: join(dir, "idp"),
      portal: {
        clientSecret: CLIENT_SECRET,
        redirectUris: [`${portalUrl}/auth/callback`],
        postLogoutRedirectUris: [`${portalUrl}/`],
      },
    });
    server = await startPortalServer({
      port,
      host: "127.0.0.1",
      dataDir: join(dir, "data"),
      siteDir: site,
      databaseUrl,
      gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/graphql`,
      oidc: { issuer: idp.url, clientSecret: CLIENT_SECRET },
    });
  });

  afterAll(async () => {
    await server?.close();
    await idp?.close();
    await new Promise((resolve) => gateway?.close(resolve));
    await dropStore();
    await rm(dir, { recursive: true, force: true });
  });

  async function call(
    path: string,
    init: { method?: string; body?: unknown; cookie?: string; raw?: string; type?: string } = {},
  ) {
    const headers: Record<string, string> = {};
    if (init.cookie) headers.cookie = init.cookie;
    if (init.body !== undefined || init.raw !== undefined) headers["content-type"] = init.type ?? "application/json";
    const response = await fetch(server.url + path, {
      method: init.method ?? "GET",
      headers,
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
      redirect: "manual",
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: text.startsWith("{") ? JSON.parse(text) : null,
      text,
    };
  }

  /**
   * Follows a browser's way from `start` on the portal, through the provider's sign-in page (choosing `user` there
   * when it asks), until a page that is not a redirect; the browser keeps both sites' cookies.
   */
  async function browse(start: string, user: string, browser = new DemoBrowser()) {
    let url = new URL(start, server.url);
    let init: RequestInit = {};
    const visited: URL[] = [];
    for (let hop = 0; hop < 15; hop += 1) {
      visited.push(url);
      const response = await browser.request(url, init);
      init = {};
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url);
        continue;
      }
      if (response.status === 200 && url.origin === idp.url && /^\/interaction\/[\w-]+$/.test(url.pathname)) {
        await response.text();
        init = {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ user }).toString(),
        };
        url = new URL(`${url.pathname}/login`, url);
        continue;
      }
      return { browser, response, url, visited, cookie: sessionCookie(browser) };
    }
    throw new Error(`Signing in went round in circles: ${visited.join(" → ")}`);
  }

  /** The portal's session cookie from the browser's jar, as a Cookie header. */
  const sessionCookie = (browser: DemoBrowser) =>
    browser.jar
      .header(new URL("/", server.url))
      .split("; ")
      .filter((pair) => pair.startsWith("portal_session="))
      .join("; ");

  async function signIn(user: string): Promise<string> {
    const { url, cookie } = await browse("/sign-in?return=%2F", user);
    expect(url.href).toBe(`${server.url}/`);
    expect(cookie).toMatch(/^portal_session=[\w-]{43}$/);
    return cookie;
  }

  describe("endpoints", () => {
    it("answers the liveness and readiness probes", async () => {
      expect(await call("/health")).toMatchObject({ status: 200, json: { status: "ok", service: "portal" } });
      expect(await call("/ready")).toMatchObject({ status: 200, json: { status: "ready", service: "portal" } });
    });

    it("serves the site, redirects folders to a trailing slash and answers unknown paths with the 404 page", async () => {
      expect((await call("/")).text).toContain("<title>Home</title>");
      const redirect = await call("/course");
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get("location")).toBe("/course/");
      const missing = await call("/no-such-page/");
      expect(missing.status).toBe(404);
      expect(missing.text).toContain("Not found");
      expect((await call("/%2e%2e/%2e%2e/etc/passwd")).status).toBe(404);
    });

    it("requires sign-in before recording an attempt", async () => {
      const response = await call("/api/attempts", {
        method: "POST",
        body: { moduleId: "legal-status", answers: answersScoring(10) },
      });
      expect(response.status).toBe(401);
      expect(response.json.error.code).toBe("SIGN_IN_REQUIRED");
    });

    it("rejects a session cookie it did not issue, and has no demo sign-in of its own any more", async () => {
      expect((await call("/api/progress", { cookie: "portal_session=forged" })).status).toBe(401);
      // The cookie the old demo sign-in set, signed or not, names nobody now.
      expect((await call("/api/progress", { cookie: "portal_officer=ps-1102.forged" })).status).toBe(401);
      const demoSignIn = await call("/api/session", { method: "POST", body: { officerId: "ps-1102" } });
      expect(demoSignIn.status).toBe(405);
      expect(demoSignIn.headers.get("set-cookie")).toBeNull();
      expect((await call("/api/officers")).status).toBe(404);
    });

    it("answers bad input with 400 and a sentence saying what to fix, and writes nothing", async () => {
      const cookie = await signIn("pc-2290");
      const badJson = await call("/api/attempts", { method: "POST", raw: "{not json", cookie });
      expect(badJson.status).toBe(400);
      expect(badJson.json).toEqual({ error: { code: "INVALID_JSON", message: expect.stringMatching(/JSON/) } });

      const unanswered = answersScoring(10);
      delete unanswered.q4;
      const missing = await call("/api/attempts", {
        method: "POST",
        body: { moduleId: "legal-status", answers: unanswered },
        cookie,
      });
      expect(missing.status).toBe(400);
      expect(missing.json.error).toMatchObject({
        code: "UNANSWERED_QUESTIONS",
        message: "Choose an answer for question 4, then submit again.",
        questions: ["q4"],
      });

      const wrongType = await call("/api/attempts", {
        method: "POST",
        raw: "moduleId=legal-status",
        type: "application/x-www-form-urlencoded",
        cookie,
      });
      expect(wrongType.status).toBe(415);

      const progress = await call("/api/progress", { cookie });
      expect(progress.json.modules.find((row: { moduleId: string }) => row.moduleId === "legal-status")).toMatchObject({
        attempts: 0,
        status: "not-started",
      });
    });

    it("scores on the server, ignoring any score the client sends", async () => {
      const cookie = await signIn("pc-5062");
      const response = await call("/api/attempts", {
        method: "POST",
        body: { moduleId: "legal-status", answers: answersScoring(3), score: 100, passed: true },
        cookie,
      });
      // Extra fields are ignored: the verdict comes from the answers alone.
      expect(response.status).toBe(201);
      expect(response.json.attempt).toMatchObject({ correct: 3, percent: 30, passed: false, completion: null });
    });

    it("records a pass as a completion that the supervisor and the certificate show", async () => {
      const officer = await signIn("pc-4127");
      const fail = await call("/api/attempts", {
        method: "POST",
        body: { moduleId: "legal-status", answers: answersScoring(7) },
        cookie: officer,
      });
      expect(fail.json.attempt).toMatchObject({ percent: 70, passed: false, completion: null });
      expect(fail.json.attempt.results).toHaveLength(quiz.questions.length);

      const pass = await call("/api/attempts", {
        method: "POST",
        body: { moduleId: "legal-status", answers: answersScoring(9) },
        cookie: officer,
      });
      expect(pass.status).toBe(201);
      expect(pass.json.attempt).toMatchObject({ percent: 90, passed: true });
      const certificateId = pass.json.attempt.completion.certificateId as string;
      expect(certificateId).toMatch(/^SG-[0-9A-F]{10}$/);

      // A later pass keeps the first completion and its certificate.
      const again = await call("/api/attempts", {
        method: "POST",
        body: { moduleId: "legal-status", answers: answersScoring(10) },
        cookie: officer,
      });
      expect(again.json.attempt.completion.certificateId).toBe(certificateId);

      // The name on the certificate is the one the provider's ID token gave.
      const certificate = await call("/api/certificates/legal-status", { cookie: officer });
      expect(certificate.json.certificate).toMatchObject({
        certificateId,
        officerName: "PC Amira Haddad",
        moduleNumber: 1,
        percent: 90,
      });

      const notDone = await call("/api/certificates/court-orders", { cookie: officer });
      expect(notDone.status).toBe(404);
      expect(notDone.json.error.code).toBe("NOT_COMPLETED");

      expect((await call("/api/supervisor/completions", { cookie: officer })).status).toBe(403);

      // ps-1102's role at the provider is TRAINING_SUPERVISOR: that is what opens the supervisor view.
      const supervisor = await signIn("ps-1102");
      const view = await call("/api/supervisor/completions", { cookie: supervisor });
      expect(view.status).toBe(200);
      const row = view.json.officers.find((entry: { officer: { id: string } }) => entry.officer.id === "demo:pc-4127");
      expect(row.officer).toMatchObject({
        displayName: "PC Amira Haddad",
        username: "pc-4127",
        organisation: "Avonvale Police, Response, North sector",
      });
      expect(row.modules[0]).toMatchObject({
        moduleId: "legal-status",
        status: "completed",
        attempts: 3,
        bestPercent: 100,
        certificateId,
      });
      expect(row.modules[1]).toMatchObject({ moduleId: "court-orders", status: "not-started" });
    });

    it("looks up glossary terms with the glossary's own ranking", async () => {
      const response = await call("/api/glossary/search?q=ICO&first=3");
      expect(response.status).toBe(200);
      expect(response.json.results[0]).toMatchObject({
        id: "interim-care-order",
        href: "/glossary/interim-care-order/",
      });
      expect((await call("/api/glossary/search?q=ico&first=99")).status).toBe(400);
    });

    it("answers unknown endpoints and wrong methods in JSON", async () => {
      expect((await call("/api/nothing")).json.error.code).toBe("NOT_FOUND");
      const wrongMethod = await call("/api/progress", { method: "POST", body: {} });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get("allow")).toBe("GET");
    });
  });

  describe("signing in through the identity provider", () => {
    it("asks for a code with PKCE (S256), state and nonce, keeping them server-side behind an httpOnly cookie", async () => {
      const start = await call("/sign-in?return=%2Fprogress%2F");
      expect(start.status).toBe(303);
      const authorization = new URL(start.headers.get("location")!);
      expect(`${authorization.origin}${authorization.pathname}`).toBe(`${idp.url}/auth`);
      const params = Object.fromEntries(authorization.searchParams);
      expect(params).toMatchObject({
        client_id: "safeguarding-portal",
        response_type: "code",
        redirect_uri: `${server.url}/auth/callback`,
        scope: "openid profile email safeguarding",
        code_challenge_method: "S256",
      });
      expect(params.code_challenge).toMatch(/^[\w-]{43}$/);
      expect(params.state).toMatch(/^[\w-]{20,}$/);
      expect(params.nonce).toMatch(/^[\w-]{20,}$/);
      // The return address stays with the portal: the provider never sees it.
      expect(authorization.href).not.toContain("progress");
      const cookie = start.headers.get("set-cookie")!;
      expect(cookie).toMatch(
        /^portal_sign_in_[0-9a-f]{12}=[\w-]{43}; Path=\/auth\/callback; HttpOnly; SameSite=Lax; Max-Age=600$/,
      );
      // A second sign-in in another tab keeps a cookie of its own: neither overwrites the other.
      const second = await call("/sign-in?return=%2F");
      expect(second.headers.get("set-cookie")!.split("=")[0]).not.toBe(cookie.split("=")[0]);
    });

    it("comes back to where the officer was, signed in as the provider's user, in an httpOnly SameSite=Lax cookie", async () => {
      // A signed-out visit to a page about the officer goes to sign in, and comes back.
      const { url, visited, browser, cookie } = await browse("/progress/", "pc-2290");
      expect(visited[1].href).toBe(`${server.url}/sign-in?return=%2Fprogress%2F`);
      expect(visited.some((step) => step.origin === idp.url)).toBe(true);
      expect(url.href).toBe(`${server.url}/progress/`);
      const callback = visited.find((step) => step.pathname === "/auth/callback")!;
      expect(callback.searchParams.get("code")).toBeTruthy();
      const session = await call("/api/session", { cookie });
      expect(session.json.officer).toEqual({
        id: "demo:pc-2290",
        username: "pc-2290",
        displayName: "PC Tom Okafor",
        organisation: "Avonvale Police, Missing persons unit",
        role: "POLICE_SAFEGUARDING",
        supervisor: false,
      });
      // Replaying the provider's answer signs nobody in again: the sign-in it belonged to was used up.
      const replay = await fetch(callback, { redirect: "manual" });
      expect(replay.status).toBe(400);
      expect(
        replay.headers.getSetCookie().some((c) => c.startsWith("portal_session=") && !c.includes("Max-Age=0")),
      ).toBe(false);
      // Already signed in: /sign-in goes straight back, unless the officer asks to sign in as someone else.
      expect((await browser.request(new URL("/sign-in?return=%2Fcourse%2F", server.url))).headers.get("location")).toBe(
        "/course/",
      );
      const another = await browser.request(new URL("/sign-in?prompt=login&return=%2F", server.url));
      expect(new URL(another.headers.get("location")!).searchParams.get("prompt")).toBe("login");
    });

    it("sets the session cookie httpOnly and SameSite=Lax, and holds the session server-side, sealed", async () => {
      const browser = new DemoBrowser();
      let sessionSetCookie = "";
      const original = browser.request.bind(browser);
      browser.request = async (url, init) => {
        const response = await original(url, init);
        for (const c of response.headers.getSetCookie()) if (c.startsWith("portal_session=")) sessionSetCookie = c;
        return response;
      };
      const { cookie } = await browse("/sign-in?return=%2F", "dc-3318", browser);
      expect(sessionSetCookie).toMatch(/^portal_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800$/);
      expect(sessionSetCookie).not.toContain("Secure"); // served over http here; https adds it
      // The store has neither the cookie's id nor anything readable: no subject, no name, no token.
      const rows = await sessionRows();
      const id = cookie.slice("portal_session=".length);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.id_hash).not.toBe(id);
        const sealed = Buffer.from(row.sealed, "base64url").toString("latin1");
        for (const plain of ["demo:dc-3318", "Priya Nair", "accessToken", "eyJ"]) expect(sealed).not.toContain(plain);
      }
    });

    it("keeps the officer's place through a refused return address: only paths on the portal", () => {
      const base = new URL("http://127.0.0.1:4321");
      expect(safeReturnPath("/modules/legal-status/quiz/?x=1", base)).toBe("/modules/legal-status/quiz/?x=1");
      for (const hostile of ["//evil.example/", "/\\evil.example/", "https://evil.example/", "evil", "/sign-out", ""])
        expect(safeReturnPath(hostile, base)).toBe("/");
      expect(safeReturnPath(null, base)).toBe("/");
    });

    it("refuses an answer that does not check out for the sign-in it belongs to, and a callback with none", async () => {
      const start = await call("/sign-in?return=%2F");
      const pending = start.headers.get("set-cookie")!.split(";")[0];
      const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
      // The right browser and state, with a code the provider never issued for them.
      const forged = await call(`/auth/callback?code=stolen&state=${state}&iss=${encodeURIComponent(idp.url)}`, {
        cookie: pending,
      });
      expect(forged.status).toBe(502);
      expect(forged.text).toContain("Signing in could not be finished");
      expect(
        forged.headers.getSetCookie().some((c) => c.startsWith("portal_session=") && !c.includes("Max-Age=0")),
      ).toBe(false);
      const none = await call("/auth/callback?code=stolen&state=guessed");
      expect(none.status).toBe(400);
      expect(none.text).toContain("This sign-in has expired");
    });

    it("says so when the officer cancels at the provider, and signs nobody in", async () => {
      const browser = new DemoBrowser();
      let url = new URL("/sign-in?return=%2Fprogress%2F", server.url);
      let response = await browser.request(url);
      while (response.headers.get("location")) {
        url = new URL(response.headers.get("location")!, url);
        response = await browser.request(url);
      }
      // The provider's sign-in page: press "Cancel sign-in".
      response = await browser.request(new URL(`${url.pathname}/login`, url), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "cancel=yes",
      });
      while (response.headers.get("location")) {
        url = new URL(response.headers.get("location")!, url);
        response = await browser.request(url);
      }
      expect(url.pathname).toBe("/auth/callback");
      expect(url.searchParams.get("error")).toBe("access_denied");
      expect(response.status).toBe(401);
      const page = await response.text();
      expect(page).toContain("You have not signed in");
      expect(page).toContain('href="/sign-in?return=%2Fprogress%2F"');
      expect(sessionCookie(browser)).toBe("");
    });

    it("calls the gateway with the access token the provider issued to that officer, and mints none", async () => {
      const cookie = await signIn("pc-2290");
      bearers.length = 0;
      const card = await call("/action-card/9990000018?purpose=MISSING_EPISODE&reference=INC-1", { cookie });
      expect(card.status).toBe(403);
      expect(bearers).toHaveLength(1);
      const token = bearers[0].replace(/^Bearer /, "");
      // Signed by the provider's key, issued by it for the gateway, to the portal's client, for this officer.
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${idp.url}/jwks`)), {
        issuer: idp.url,
        audience: "safeguarding-gateway",
      });
      expect(payload).toMatchObject({ sub: "demo:pc-2290", client_id: "safeguarding-portal" });
      // The portal holds no key to sign with: its data folder has none.
      expect(existsSync(join(dir, "data", "keys"))).toBe(false);
    });

    it("signs out of the portal and of the provider, and back to the home page", async () => {
      const { browser, cookie } = await browse("/sign-in?return=%2F", "pc-4127");
      const out = await browser.request(new URL("/sign-out", server.url), { method: "POST" });
      expect(out.status).toBe(303);
      expect(out.headers.getSetCookie()).toContain("portal_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
      const endSession = new URL(out.headers.get("location")!);
      expect(`${endSession.origin}${endSession.pathname}`).toBe(`${idp.url}/session/end`);
      expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(`${server.url}/`);
      expect(endSession.searchParams.get("id_token_hint")).toMatch(/^eyJ/);
      // The portal's session is gone on the server, not only from the browser.
      expect((await call("/api/session", { cookie })).json.officer).toBeNull();
      // The provider asks the user to confirm, then comes back to the portal.
      const confirm = await browser.request(endSession);
      const html = await confirm.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)![1].replace(/&amp;/g, "&");
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1];
      const done = await browser.request(new URL(action, endSession), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ xsrf, logout: "yes" }).toString(),
      });
      expect(done.headers.get("location")).toBe(`${server.url}/`);
      // Signing in again shows the provider's sign-in page: its session ended too.
      let url = new URL("/sign-in?return=%2F", server.url);
      let response = await browser.request(url);
      while (response.headers.get("location")) {
        url = new URL(response.headers.get("location")!, url);
        response = await browser.request(url);
      }
      expect(url.origin).toBe(idp.url);
      expect(await response.text()).toContain("Development sign-in: demo users only");
    });

    it("refuses a sign-out posted from another site", async () => {
      const cookie = await signIn("pc-5062");
      const elsewhere: Array<Record<string, string>> = [
        { origin: "https://evil.example" },
        { "sec-fetch-site": "cross-site", origin: "null" },
      ];
      for (const from of elsewhere) {
        const response = await fetch(`${server.url}/sign-out`, {
          method: "POST",
          headers: { cookie, ...from },
          redirect: "manual",
        });
        expect(response.status).toBe(403);
      }
      expect((await call("/api/session", { cookie })).json.officer).toMatchObject({ id: "demo:pc-5062" });
    });
  });

  /** The session table's rows, read straight from the store. */
  async function sessionRows(): Promise<Array<{ id_hash: string; sealed: string }>> {
    if (!databaseUrl) {
      const db = new DatabaseSync(join(dir, "data", "portal.sqlite"), { readOnly: true });
      try {
        return db.prepare("select id_hash, sealed from portal_session").all() as Array<{
          id_hash: string;
          sealed: string;
        }>;
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query("select id_hash, sealed from portal_session")).rows;
    } finally {
      await client.end();
    }
  }

  it("moves progress recorded under the old demo officer ids to the provider's subjects", async () => {
    const created = await store.create();
    const sqlitePath = join(dir, "migrate", "portal.sqlite");
    const [first] = Object.keys(progressMigrations);
    try {
      // The store as the portal left it before one sign-in: progress under "pc-2290".
      const before = await openStore<PortalDatabase>({
        name: "portal",
        databaseUrl: created.databaseUrl,
        sqlitePath,
        migrations: { [first]: progressMigrations[first as keyof typeof progressMigrations] },
      });
      await before.db
        .insertInto("quiz_attempt")
        .values({
          id: "a1",
          officer_id: "pc-2290",
          module_id: "legal-status",
          correct: 9,
          total: 10,
          percent: 90,
          passed: 1,
          answers: "{}",
          submitted_at: "2026-11-01T10:00:00.000Z",
        })
        .execute();
      await before.db
        .insertInto("module_completion")
        .values({
          officer_id: "pc-2290",
          module_id: "legal-status",
          officer_name: "PC Tom Okafor (2290)",
          attempt_id: "a1",
          certificate_id: "SG-0000000001",
          percent: 90,
          completed_at: "2026-11-01T10:00:00.000Z",
        })
        .execute();
      await before.close();

      const after = await openStore<PortalDatabase>({
        name: "portal",
        databaseUrl: created.databaseUrl,
        sqlitePath,
        migrations: progressMigrations,
      });
      try {
        expect(await after.db.selectFrom("quiz_attempt").select("officer_id").execute()).toEqual([
          { officer_id: "demo:pc-2290" },
        ]);
        expect(
          await after.db.selectFrom("module_completion").select(["officer_id", "certificate_id"]).execute(),
        ).toEqual([{ officer_id: "demo:pc-2290", certificate_id: "SG-0000000001" }]);
        // The supervisor's list has him until he signs in again, under the name his certificate printed.
        expect(await after.db.selectFrom("portal_officer").select(["subject", "username", "name"]).execute()).toEqual([
          { subject: "demo:pc-2290", username: "pc-2290", name: "PC Tom Okafor (2290)" },
        ]);
      } finally {
        await after.close();
      }
    } finally {
      await created.drop();
    }
  });
});
