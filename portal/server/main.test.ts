import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { loadCourse, startPortalServer, type PortalServer } from "./main.ts";

const course = await loadCourse();
const quiz = course.quizzes.get("legal-status")!;
const answersScoring = (correct: number) =>
  Object.fromEntries(
    quiz.questions.map((question, index) => [
      question.id,
      index < correct ? question.answer : question.options.find((option) => option.id !== question.answer)!.id,
    ]),
  );

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
  let dir: string;
  let dropStore: () => Promise<void> = async () => {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portal-server-"));
    const site = join(dir, "site");
    await mkdir(join(site, "course"), { recursive: true });
    await writeFile(join(site, "index.html"), "<!doctype html><title>Home</title>");
    await writeFile(join(site, "course", "index.html"), "<!doctype html><title>Course</title>");
    await writeFile(join(site, "404.html"), "<!doctype html><title>Not found</title>");
    const created = await store.create();
    dropStore = created.drop;
    server = await startPortalServer({
      port: 0,
      host: "127.0.0.1",
      dataDir: join(dir, "data"),
      siteDir: site,
      databaseUrl: created.databaseUrl,
    });
  });

  afterAll(async () => {
    await server?.close();
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

  async function signIn(officerId: string): Promise<string> {
    const response = await call("/api/session", { method: "POST", body: { officerId } });
    expect(response.status).toBe(200);
    return response.headers.get("set-cookie")!.split(";")[0]!;
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

    it("rejects a forged session cookie", async () => {
      const response = await call("/api/progress", { cookie: "portal_officer=ps-1102.forged" });
      expect(response.status).toBe(401);
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

      const badSignIn = await call("/api/session", { method: "POST", body: { officerId: "nobody" } });
      expect(badSignIn.status).toBe(400);
      expect(badSignIn.json.error.code).toBe("UNKNOWN_OFFICER");

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

      const certificate = await call("/api/certificates/legal-status", { cookie: officer });
      expect(certificate.json.certificate).toMatchObject({
        certificateId,
        officerName: "PC Amira Haddad (4127)",
        moduleNumber: 1,
        percent: 90,
      });

      const notDone = await call("/api/certificates/court-orders", { cookie: officer });
      expect(notDone.status).toBe(404);
      expect(notDone.json.error.code).toBe("NOT_COMPLETED");

      expect((await call("/api/supervisor/completions", { cookie: officer })).status).toBe(403);

      const supervisor = await signIn("ps-1102");
      const view = await call("/api/supervisor/completions", { cookie: supervisor });
      expect(view.status).toBe(200);
      const row = view.json.officers.find((entry: { officer: { id: string } }) => entry.officer.id === "pc-4127");
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
});
