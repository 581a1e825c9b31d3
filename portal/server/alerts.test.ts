import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "@safeguarding/shared/store";
import { ACKNOWLEDGE_ALERT_MUTATION, MY_ALERTS_QUERY, type Alert } from "./alerts-gateway.ts";
import { createAlertsRoutes } from "./alerts-routes.ts";
import { alertDomId, listVersion, renderAlertList, renderAlertsPage } from "./alerts-view.ts";
import { progressMigrations, type PortalDatabase } from "./progress-store.ts";
import { createSessionStore, type Session } from "./session.ts";

const missing: Alert = {
  id: "alert-1",
  kind: "MISSING_REPORTED",
  childId: "9990000018",
  // 14:05 in London: British Summer Time.
  raisedAt: "2026-07-01T13:05:00Z",
  summary: 'Amber <script>alert(1)</script> "Ambs" Whitlock reported missing',
  reason: "allocated social worker",
  sourceAgency: "POLICE",
  acknowledgedAt: null,
  acknowledgedBy: null,
  escalatedTo: [],
};

const found: Alert = {
  ...missing,
  id: "alert-2",
  kind: "FOUND",
  raisedAt: "2026-11-26T02:10:00Z",
  summary: "Amber Whitlock found at Avonvale bus station",
  acknowledgedAt: "2026-11-26T02:20:00Z",
  acknowledgedBy: "Leah Marsh",
  escalatedTo: ["Fiona Castell (on-call manager)"],
};

describe("the alerts list", () => {
  const html = renderAlertList([missing, found], { showAll: true });

  it("says each alert's kind in words, the child's NHS number with a link to their card, why and when", () => {
    expect(html).toContain('<h2 class="govuk-summary-card__title">Reported missing: 999 000 0018</h2>');
    expect(html).toContain('<h2 class="govuk-summary-card__title">Found: 999 000 0018</h2>');
    expect(html).toContain('href="/action-card/9990000018"');
    expect(html).toContain('Why you got this</dt><dd class="govuk-summary-list__value">allocated social worker');
    expect(html).toContain('<time datetime="2026-07-01T13:05:00Z">1 Jul 2026, 14:05</time>');
    expect(html).toContain("26 Nov 2026, 02:20</time> by Leah Marsh");
    expect(html).toContain('Escalated to</dt><dd class="govuk-summary-list__value">Fiona Castell (on-call manager)');
    expect(html).toContain('From</dt><dd class="govuk-summary-list__value">Police');
    expect(html).toContain("2 alerts, 1 to acknowledge.");
  });

  it("escapes everything the gateway sends", () => {
    const hostile = renderAlertList(
      [{ ...missing, id: 'x"><img src=x>', reason: "<b>duty</b>", escalatedTo: ["<i>EDT</i>"] }],
      { showAll: false },
    );
    expect(html).not.toContain("<script>");
    expect(html).toContain("Amber &lt;script&gt;alert(1)&lt;/script&gt; &quot;Ambs&quot; Whitlock reported missing");
    expect(hostile).not.toMatch(/<img|<b>|<i>/);
    expect(hostile).toContain('action="/alerts/x%22%3E%3Cimg%20src%3Dx%3E/acknowledge"');
    expect(hostile).toContain('data-alert-id="x&quot;&gt;&lt;img src=x&gt;"');
  });

  it("has a form with a labelled, hinted note for each alert still to acknowledge, and none for the others", () => {
    const note = `${alertDomId("alert-1")}-note`;
    expect(html.match(/<form /g)).toHaveLength(1);
    expect(html).toContain('<form method="post" action="/alerts/alert-1/acknowledge" novalidate>');
    expect(html).toContain(`<label class="govuk-label" for="${note}">Note (optional)`);
    expect(html).toContain(`aria-describedby="${note}-hint"`);
    expect(html).toContain("Up to 500 characters.");
    // The form keeps the page's choice to show acknowledged alerts.
    expect(html).toContain('<input type="hidden" name="all" value="1">');
  });

  it("says when there is nothing to acknowledge", () => {
    expect(renderAlertList([], { showAll: false })).toContain("You have no alerts to acknowledge.");
    expect(renderAlertList([], { showAll: true })).toContain("You have no alerts.");
  });

  it("gives the page a toggle, a polite announcer and the stream's address with the list it shows", () => {
    const page = renderAlertsPage({ alerts: [missing], showAll: false });
    expect(page).toContain('<a class="govuk-link" href="/alerts/?all=1">Show acknowledged alerts too</a>');
    expect(page).toContain('aria-live="polite" data-alerts-announcer');
    const version = listVersion(renderAlertList([missing], { showAll: false }));
    expect(page).toContain(`data-alerts-stream="/alerts/stream?since=${version}"`);
    expect(renderAlertsPage({ alerts: [], showAll: true })).toContain(
      'href="/alerts/">Show only alerts to acknowledge</a>',
    );
  });
});

interface GatewayCall {
  operation: "myAlerts" | "acknowledgeAlert" | "other";
  variables: Record<string, unknown>;
  authorization: string | undefined;
}

/** The routes on a real server, with a stand-in gateway over HTTP and a real session store. */
describe("the alerts routes", () => {
  const NOW = Date.parse("2026-11-26T02:00:00Z");
  const POLL_MS = 40;
  let store: Store<PortalDatabase>;
  let sessions: ReturnType<typeof createSessionStore>;
  let signedIn: Record<string, string>;
  let expired: Record<string, string>;
  let server: Server;
  let base: string;
  let siteDir: string;
  let gateway: Server;
  let calls: GatewayCall[] = [];
  /** What the stand-in gateway answers, per operation; tests change it. */
  let answers: {
    myAlerts: () => { status?: number; body: unknown };
    acknowledgeAlert: () => { status?: number; body: unknown };
  };
  let alerts: Alert[];

  async function sessionCookie(expiresAt: number): Promise<Record<string, string>> {
    const session: Session = {
      user: {
        subject: "demo:social-worker",
        username: "social-worker",
        name: "Leah Marsh",
        organisation: "North Avonvale Council, Children's Services",
        role: "SOCIAL_WORKER",
      },
      idToken: "id-token",
      accessToken: "access-token",
      accessTokenExpiresAt: expiresAt,
    };
    const setCookie = await sessions.create(session, { headers: {} } as IncomingMessage);
    return { cookie: setCookie.split(";")[0] };
  }

  beforeAll(async () => {
    siteDir = await mkdtemp(join(tmpdir(), "portal-alerts-routes-"));
    store = await openStore<PortalDatabase>({
      name: "portal",
      sqlitePath: join(siteDir, "portal.sqlite"),
      migrations: progressMigrations,
    });
    sessions = createSessionStore(store.db, { secureCookies: false, now: () => NOW });
    signedIn = await sessionCookie(NOW + 3600_000);
    expired = await sessionCookie(NOW + 20_000);
    gateway = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        query: string;
        variables: Record<string, unknown>;
      };
      const operation =
        query === MY_ALERTS_QUERY ? "myAlerts" : query === ACKNOWLEDGE_ALERT_MUTATION ? "acknowledgeAlert" : "other";
      calls.push({ operation, variables, authorization: request.headers.authorization });
      const answer =
        operation === "other" ? { status: 400, body: { errors: [{ message: "?" }] } } : answers[operation]();
      response.writeHead(answer.status ?? 200, { "content-type": "application/json" });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    const routes = createAlertsRoutes({
      gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/graphql`,
      siteDir,
      sessions,
      baseUrl: new URL("http://portal.example"),
      pollMs: POLL_MS,
      now: () => NOW,
    });
    server = createServer(async (request, response) => {
      const url = new URL(request.url ?? "/", "http://portal.invalid");
      if (!(await routes.handle(request, response, url))) response.writeHead(404).end("not mine");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    calls = [];
    alerts = [missing];
    answers = {
      myAlerts: () => ({ body: { data: { myAlerts: alerts } } }),
      acknowledgeAlert: () => ({
        body: {
          data: {
            acknowledgeAlert: { id: "alert-1", acknowledgedAt: "2026-11-26T02:00:00Z", acknowledgedBy: "Leah Marsh" },
          },
        },
      }),
    };
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => gateway.close(resolve));
    await store.close();
    await rm(siteDir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = signedIn) =>
    fetch(`${base}${path}`, { headers, redirect: "manual" });

  /** The acknowledge form as a browser on the portal's own page posts it. */
  const acknowledge = (id: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}/alerts/${encodeURIComponent(id)}/acknowledge`, {
      method: "POST",
      headers: {
        ...signedIn,
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://portal.example",
        "sec-fetch-site": "same-origin",
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });

  describe("the page", () => {
    it("sends a signed-out visitor to sign in and back", async () => {
      const response = await get("/alerts/?all=1", {});
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe(`/sign-in?return=${encodeURIComponent("/alerts/?all=1")}`);
      expect(calls).toEqual([]);
    });

    it("shows the officer's alerts, read as them, never cached", async () => {
      for (const path of ["/alerts", "/alerts/"]) {
        const response = await get(path);
        expect(response.status).toBe(200);
        expect(response.headers.get("cache-control")).toBe("no-store");
        const html = await response.text();
        expect(html).toContain("Reported missing: 999 000 0018");
        expect(html).not.toContain("<script>alert(1)");
      }
      expect(calls[0]).toEqual({
        operation: "myAlerts",
        variables: { unacknowledgedOnly: true, first: 50 },
        authorization: "Bearer access-token",
      });
    });

    it("asks for acknowledged alerts too with ?all=1", async () => {
      alerts = [missing, found];
      const html = await (await get("/alerts/?all=1")).text();
      expect(calls[0].variables).toEqual({ unacknowledgedOnly: false, first: 50 });
      expect(html).toContain("Found: 999 000 0018");
      expect(html).toContain("Show only alerts to acknowledge");
    });

    it("asks an officer whose gateway sign-in has run out to sign in again (401), without asking the gateway", async () => {
      const response = await get("/alerts/", expired);
      expect(response.status).toBe(401);
      expect(await response.text()).toContain(`href="/sign-in?return=${encodeURIComponent("/alerts/")}"`);
      expect(calls).toEqual([]);
    });

    it("says why the list cannot be shown when the gateway is unavailable or refuses", async () => {
      answers.myAlerts = () => ({
        body: {
          data: null,
          errors: [{ message: "The alerts service is not answering.", extensions: { code: "AGENCY_UNAVAILABLE" } }],
        },
      });
      const unavailable = await get("/alerts/");
      expect(unavailable.status).toBe(503);
      expect(await unavailable.text()).toContain("The alerts service is not answering.");
      answers.myAlerts = () => ({
        body: {
          data: null,
          errors: [{ message: "Your sign-in carries no verified email.", extensions: { code: "FORBIDDEN" } }],
        },
      });
      const forbidden = await get("/alerts/");
      expect(forbidden.status).toBe(403);
      expect(await forbidden.text()).toContain("Your sign-in carries no verified email.");
      answers.myAlerts = () => ({ body: { data: { myAlerts: [{ id: "half an alert" }] } } });
      expect((await get("/alerts/")).status).toBe(503);
    });

    it("refuses HEAD and other methods: reading alerts is recorded", async () => {
      expect((await fetch(`${base}/alerts/`, { method: "HEAD", headers: signedIn })).status).toBe(405);
      expect((await fetch(`${base}/alerts/`, { method: "POST", headers: signedIn })).status).toBe(405);
      expect(calls).toEqual([]);
    });
  });

  describe("acknowledging", () => {
    it("posts the mutation with the note as the officer and goes back to the list with a success banner", async () => {
      const response = await acknowledge("alert-1", { note: "  Called the placement; police have a unit there.  " });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/alerts/?acknowledged=alert-1");
      expect(calls).toEqual([
        {
          operation: "acknowledgeAlert",
          variables: { id: "alert-1", note: "Called the placement; police have a unit there." },
          authorization: "Bearer access-token",
        },
      ]);
      const page = await (await get("/alerts/?acknowledged=alert-1")).text();
      expect(page).toContain("Alert acknowledged");
    });

    it("sends no note when none is written, and keeps ?all=1", async () => {
      const response = await acknowledge("alert-1", { note: "   ", all: "1" });
      expect(response.headers.get("location")).toBe("/alerts/?all=1&acknowledged=alert-1");
      expect(calls[0].variables).toEqual({ id: "alert-1", note: null });
    });

    it.each([
      ["BAD_USER_INPUT", "This alert was already acknowledged at 26 Nov 2026, 02:01 by Fiona Castell.", 400],
      ["BAD_USER_INPUT", "No alert has id alert-1.", 400],
      ["FORBIDDEN", "This alert is not addressed to you.", 403],
    ])(
      "shows the gateway's %s sentence against the alert, the note kept, nothing else changed",
      async (code, message, status) => {
        answers.acknowledgeAlert = () => ({ body: { data: null, errors: [{ message, extensions: { code } }] } });
        const response = await acknowledge("alert-1", { note: "Tried <twice>" });
        expect(response.status).toBe(status);
        expect(response.headers.get("cache-control")).toBe("no-store");
        const html = await response.text();
        expect(html).toContain("<title>Error: Your alerts");
        expect(html).toContain(`<a href="#${alertDomId("alert-1")}-note">${message}</a>`);
        expect(html).toContain(`<span class="govuk-visually-hidden">Error:</span> ${message}`);
        expect(html).toContain(">Tried &lt;twice&gt;</textarea>");
        expect(html).not.toContain("Alert acknowledged");
        // One mutation, then the list read afresh to show the page again.
        expect(calls.map((c) => c.operation)).toEqual(["acknowledgeAlert", "myAlerts"]);
      },
    );

    it("says the alert was not acknowledged when the gateway does not answer (503)", async () => {
      answers.acknowledgeAlert = () => ({ status: 502, body: "Bad gateway" });
      const response = await acknowledge("alert-1", { note: "" });
      expect(response.status).toBe(503);
      expect(await response.text()).toContain(
        "The alert was not acknowledged. The Safeguarding Gateway answered with an error (HTTP 502).",
      );
    });

    it("refuses a note over 500 characters without asking the gateway to change anything", async () => {
      const response = await acknowledge("alert-1", { note: "x".repeat(501) });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("The note must be 500 characters or fewer; it has 501.");
      expect(calls.map((c) => c.operation)).toEqual(["myAlerts"]);
    });

    it.each([
      ["another site (Sec-Fetch-Site)", { "sec-fetch-site": "cross-site", origin: "https://evil.example" }],
      ["another site (Origin only)", { "sec-fetch-site": "", origin: "https://evil.example" }],
      ["a sibling subdomain", { "sec-fetch-site": "same-site", origin: "http://other.portal.example" }],
    ])("refuses a post from %s (403) and changes nothing", async (_name, headers) => {
      const cleaned = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ""));
      const response = await fetch(`${base}/alerts/alert-1/acknowledge`, {
        method: "POST",
        headers: { ...signedIn, "content-type": "application/x-www-form-urlencoded", ...cleaned },
        body: "note=hi",
        redirect: "manual",
      });
      expect(response.status).toBe(403);
      expect(calls).toEqual([]);
    });

    it("sends a signed-out post to sign in, and refuses a GET or a body that is not the form", async () => {
      const signedOut = await acknowledge("alert-1", { note: "" }, { cookie: "" });
      expect(signedOut.status).toBe(303);
      expect((await get("/alerts/alert-1/acknowledge")).status).toBe(405);
      const json = await acknowledge("alert-1", {}, { "content-type": "application/json" });
      expect(json.status).toBe(415);
      expect(calls).toEqual([]);
    });
  });

  describe("the stream", () => {
    /** Reads server-sent events from an open response, one at a time (comments and retry lines skipped). */
    function eventReader(response: Response) {
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      return async function next(): Promise<{ event: string; id?: string; data: any }> {
        for (;;) {
          const end = buffer.indexOf("\n\n");
          if (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = block.split("\n").filter((line) => !line.startsWith(":"));
            const event = fields.find((line) => line.startsWith("event: "))?.slice(7);
            if (!event) continue;
            const id = fields.find((line) => line.startsWith("id: "))?.slice(4);
            const data = JSON.parse(fields.find((line) => line.startsWith("data: "))!.slice(6));
            return { event, id, data };
          }
          const { value, done } = await reader.read();
          if (done) throw new Error("the stream ended");
          buffer += decoder.decode(value, { stream: true });
        }
      };
    }

    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const myAlertsCalls = () => calls.filter((c) => c.operation === "myAlerts").length;

    it("sends the list when the gateway's answer changes, and stops asking once the browser disconnects", async () => {
      const shown = listVersion(renderAlertList(alerts, { showAll: false }));
      const browser = new AbortController();
      const response = await fetch(`${base}/alerts/stream?since=${shown}`, {
        headers: signedIn,
        signal: browser.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-store");
      const next = eventReader(response);
      // The list the page shows is not sent again; a new alert is.
      await sleep(POLL_MS * 3);
      expect(myAlertsCalls()).toBeGreaterThanOrEqual(2);
      alerts = [{ ...missing, id: "alert-3", kind: "HELD_AT_POLICE_STATION" }, missing];
      const update = await next();
      expect(update.event).toBe("alerts");
      expect(update.data.html).toContain("Held at a police station: 999 000 0018");
      expect(update.id).toBe(listVersion(update.data.html));
      expect(calls.every((c) => c.authorization === "Bearer access-token")).toBe(true);

      browser.abort();
      await sleep(POLL_MS * 2);
      const afterDisconnect = myAlertsCalls();
      await sleep(POLL_MS * 5);
      expect(myAlertsCalls()).toBe(afterDisconnect);
    });

    it("picks up from the Last-Event-ID a reconnecting browser sends, and says when the gateway is not answering", async () => {
      const browser = new AbortController();
      answers.myAlerts = () => ({
        body: {
          data: null,
          errors: [{ message: "The alerts service is not answering.", extensions: { code: "AGENCY_UNAVAILABLE" } }],
        },
      });
      const response = await fetch(`${base}/alerts/stream?all=1`, {
        headers: { ...signedIn, "last-event-id": "an-older-list" },
        signal: browser.signal,
      });
      const next = eventReader(response);
      const problem = await next();
      expect(problem.event).toBe("problem");
      expect(problem.data.message).toMatch(
        /^Your alerts cannot be refreshed now\. The alerts service is not answering\./,
      );
      answers.myAlerts = () => ({ body: { data: { myAlerts: alerts } } });
      const recovered = await next();
      expect(recovered.event).toBe("alerts");
      expect(calls.at(-1)!.variables).toEqual({ unacknowledgedOnly: false, first: 50 });
      browser.abort();
    });

    it("says signed-out and ends when the session's token is no longer usable", async () => {
      for (const headers of [expired, {}]) {
        const response = await fetch(`${base}/alerts/stream`, { headers });
        const next = eventReader(response);
        expect(await next()).toEqual({
          event: "signed-out",
          id: undefined,
          data: { signIn: `/sign-in?return=${encodeURIComponent("/alerts/")}` },
        });
        await expect(next()).rejects.toThrow("the stream ended");
      }
      expect(calls).toEqual([]);
    });
  });
});
