import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "@safeguarding/shared/store";
import { createActionCardClient } from "./action-card-gateway.ts";
import type { ActionCard, ChildAlert } from "./action-card-query.ts";
import { createActionCardRoutes } from "./action-card-routes.ts";
import { renderActionCard, renderCardAlerts, withheldFieldName } from "./action-card-view.ts";
import { progressMigrations, type PortalDatabase } from "./progress-store.ts";
import { createSessionStore, type Session } from "./session.ts";

const source = { agency: "SOCIAL_CARE" as const, system: "Case management", department: "Children's Services" };
const asOf = "2026-11-26T13:20:00Z";

const card: ActionCard = {
  generatedAt: asOf,
  child: {
    nhsNumber: "999 000 0018",
    name: "Amber <script>alert(1)</script> Whitlock",
    knownAs: null,
    dateOfBirth: "2013-08-21",
    ageYears: 13,
    asOf,
    source,
    discrepancies: [],
  },
  legalStatus: null,
  whereToReturn: {
    childMissing: false,
    missingEpisode: null,
    recentlyFound: null,
    returnTo: null,
    placement: null,
    doNotReturnTo: [{ text: 'Mum\'s "flat" & <b>friends</b>', asOf, source }],
    notes: null,
    withheld: "Not missing.",
  },
  whoToCall: [
    {
      order: 1,
      role: "Named on-call manager",
      name: "Fiona Castell",
      phone: "07700 900 461",
      note: null,
      asOf,
      source,
    },
  ],
  risks: [],
  decisions: [],
  ifChildRefuses: {
    summary: "Police have no general power to make a child go back.",
    officerMust: ["Tell the EDT <now>."],
    officerMustNot: ["Do not hold her at a station."],
    call: ["Emergency Duty Team (out of hours)"],
  },
  record: ["Amber's wishes, in her own words.", "The reference to quote: INC-1 & ME-2."],
  gaps: ["Children's social care hold no out-of-hours plan for this child: call EDT."],
};

describe("the action card page", () => {
  const html = renderActionCard(card);

  it("says what to do if she will not go back, and what to record", () => {
    expect(html).toMatch(/7\. If Amber will not go back/);
    expect(html).toContain("Police have no general power to make a child go back.");
    expect(html).toContain("Do not hold her at a station.");
    expect(html).toMatch(/8\. Record/);
    expect(html).toContain("The reference to quote: INC-1 &amp; ME-2.");
  });

  it("escapes everything the agencies hold", () => {
    expect(html).not.toContain("<script>");
    expect(html).toContain("Amber &lt;script&gt;alert(1)&lt;/script&gt; Whitlock");
    expect(html).toContain("Mum&#39;s &quot;flat&quot; &amp; &lt;b&gt;friends&lt;/b&gt;");
  });

  it("names the source of each item, links phone numbers and lists what is missing", () => {
    expect(html).toContain(
      'Social care<span class="app-card__department">, Children&#39;s Services</span>; as of 26 Nov 2026, 13:20',
    );
    expect(html).toContain('href="tel:07700900461"');
    expect(html).toContain("Part of this card is missing.");
    expect(html).toContain("No legal status is recorded.");
  });

  it("lists what the officer's role may not see, and says the address is not shown", () => {
    const withAddressRefused = renderActionCard(
      {
        ...card,
        whereToReturn: {
          ...card.whereToReturn,
          childMissing: true,
          placement: {
            name: "Orchard Lane",
            address: null,
            carer: "Sandra Okoye",
            phone: "01632 960 233",
            asOf,
            source,
          },
        },
      },
      {
        withheld: [
          {
            field: "ActionCardPlacement.address",
            message:
              "The HEALTH_CAMHS role may not see ActionCardPlacement.address. Police need the address of a child in care to return them when found, not otherwise.",
          },
        ],
      },
    );
    expect(withAddressRefused).toContain("Orchard Lane, address not shown to your role.");
    expect(withAddressRefused).toContain("Not shown to your role:");
    expect(withAddressRefused).toContain(
      "<li>Placement address: Police need the address of a child in care to return them when found, not otherwise.</li>",
    );
    expect(html).not.toContain("Not shown to your role");
  });

  it("names refused fields as an officer would", () => {
    expect(withheldFieldName("ActionCardPlacement.address")).toBe("Placement address");
    expect(withheldFieldName("ActionCardRisk.detail")).toBe("Risk detail");
    expect(withheldFieldName("ActionCard.whoToCall")).toBe("Who to call");
  });

  it("prints who opened the card and why", () => {
    const opened = renderActionCard(card, {
      openedBy: { officer: "PC Tom Okafor", purpose: { code: "MISSING_EPISODE", reference: "INC-1", agreement: null } },
    });
    expect(opened).toContain(
      "Opened by PC Tom Okafor for: missing episode, INC-1; the gateway has recorded this look-up.",
    );
  });
});

/** The card's routes on a real server, for what is decided before the gateway is asked. */
const missingAlert: ChildAlert = {
  kind: "MISSING_REPORTED",
  raisedAt: "2026-11-26T01:40:00Z",
  summary: "Amber <Hayes> (999 000 0018) reported missing from placement at 01:10.",
  sourceAgency: "POLICE",
  sentTo: [
    { name: "Leah Marsh", reason: "allocated social worker" },
    { name: "Chris Doyle", reason: "out of hours: EDT" },
  ],
  escalatedTo: ["Fiona Castell"],
};

describe("the alerts not yet acknowledged, on the card", () => {
  it("lists each in words, when, the summary and who it went to, near the current risks", () => {
    const html = renderActionCard(card, { alerts: { kind: "listed", alerts: [missingAlert] } });
    const part = html.slice(html.indexOf('id="card-risks"'), html.indexOf('id="card-decisions"'));
    expect(part).toContain("Alerts not yet acknowledged");
    const text = part.replace(/<[^>]+>/g, "");
    expect(text).toContain(
      "Reported missing, 26 Nov 2026, 01:40. Sent to Leah Marsh (allocated social worker), Chris Doyle (out of hours: EDT); escalated to Fiona Castell. Amber &lt;Hayes&gt; (999 000 0018) reported missing",
    );
    expect(part).not.toContain("<Hayes>");
    // Where it comes from, and that it was still unacknowledged when the card was put together.
    expect(part).toMatch(/Police<span class="app-card__department">, alerts service<\/span>; as of 26 Nov 2026, 13:20/);
    expect(part).not.toContain("<Hayes>");
  });

  it('says "None", or that alerts could not be checked, or that the role may not see them', () => {
    expect(renderCardAlerts({ kind: "listed", alerts: [] }, asOf)).toContain("None.");
    expect(renderCardAlerts({ kind: "unchecked" }, asOf)).toContain("Alerts could not be checked");
    expect(renderCardAlerts({ kind: "withheld" }, asOf)).toContain("Not shown to your role.");
    // Not asked for: no section at all.
    expect(renderActionCard(card)).not.toContain("Alerts not yet acknowledged");
  });

  it('shows at most 5, then "and N more", so the card still prints on one page', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ ...missingAlert, summary: `Event number ${i}.` }));
    const html = renderCardAlerts({ kind: "listed", alerts: many }, asOf);
    expect(html.match(/<li>/g)).toHaveLength(5);
    expect(html).toContain("Event number 4.");
    expect(html).not.toContain("Event number 5.");
    expect(html).toContain("and 3 more.");
  });

  it("reads the gateway's answer: the alerts beside the card, or unchecked without a warning when the service is down", async () => {
    let reply: unknown;
    const gateway = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    try {
      const client = createActionCardClient({
        gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/graphql`,
      });
      const ask = () =>
        client.cardFor("token", "9990000018", { code: "MISSING_EPISODE", reference: "INC-1", agreement: null });
      reply = { data: { child: { actionCard: card, alerts: [missingAlert] } } };
      expect(await ask()).toMatchObject({
        kind: "card",
        warnings: [],
        alerts: { kind: "listed", alerts: [missingAlert] },
      });
      reply = {
        data: { child: { actionCard: card, alerts: null } },
        errors: [{ message: "The alerts service did not answer…", extensions: { code: "ALERTS_UNAVAILABLE" } }],
      };
      expect(await ask()).toMatchObject({ kind: "card", warnings: [], withheld: [], alerts: { kind: "unchecked" } });
      reply = {
        data: { child: { actionCard: card, alerts: null } },
        errors: [
          {
            message: "The AUDITOR role may not see Child.alerts.",
            path: ["child", "alerts"],
            extensions: { code: "FORBIDDEN", field: "Child.alerts" },
          },
        ],
      };
      expect(await ask()).toMatchObject({ kind: "card", alerts: { kind: "withheld" } });
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });
});

describe("the action card routes", () => {
  const NOW = Date.parse("2026-11-26T02:00:00Z");
  let store: Store<PortalDatabase>;
  let sessions: ReturnType<typeof createSessionStore>;
  let signedIn: { cookie: string };
  let expired: { cookie: string };
  let server: Server;
  let base: string;
  let siteDir: string;
  let gatewayCalls = 0;
  let gateway: Server;

  /** A session as /auth/callback leaves it, with the access token lasting until `expiresAt`. */
  async function sessionCookie(expiresAt: number): Promise<string> {
    const session: Session = {
      user: {
        subject: "demo:pc-2290",
        username: "pc-2290",
        name: "PC Tom Okafor",
        organisation: "Avonvale Police, Missing persons unit",
        role: "POLICE_SAFEGUARDING",
      },
      idToken: "id-token",
      accessToken: "access-token",
      accessTokenExpiresAt: expiresAt,
    };
    const setCookie = await sessions.create(session, { headers: {} } as IncomingMessage);
    return setCookie.split(";")[0];
  }

  beforeAll(async () => {
    siteDir = await mkdtemp(join(tmpdir(), "portal-card-routes-"));
    store = await openStore<PortalDatabase>({
      name: "portal",
      sqlitePath: join(siteDir, "portal.sqlite"),
      migrations: progressMigrations,
    });
    sessions = createSessionStore(store.db, { secureCookies: false, now: () => NOW });
    signedIn = { cookie: await sessionCookie(NOW + 3600_000) };
    // 20 s left: too little to start a read with.
    expired = { cookie: await sessionCookie(NOW + 20_000) };
    // Counts calls only: every request here must be answered before the gateway is asked.
    gateway = createServer((_request, response) => {
      gatewayCalls += 1;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    const routes = createActionCardRoutes({
      gatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/graphql`,
      siteDir,
      sessions,
      now: () => NOW,
    });
    server = createServer(async (request, response) => {
      const url = new URL(request.url ?? "/", "http://portal.invalid");
      if (!(await routes.handle(request, response, url))) response.writeHead(404).end("not mine");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => gateway.close(resolve));
    await store.close();
    await rm(siteDir, { recursive: true, force: true });
    expect(gatewayCalls).toBe(0);
  });

  const get = (path: string, headers: Record<string, string> = signedIn) =>
    fetch(`${base}${path}`, { headers, redirect: "manual" });

  it("leaves the bare form page to the built site", async () => {
    expect(await (await get("/action-card/")).text()).toBe("not mine");
  });

  it("sends a signed-out visitor to sign in, to come back to the same address", async () => {
    const path = "/action-card/9990000018?purpose=MISSING_EPISODE&reference=INC%201";
    const response = await get(path, {});
    expect(response.status).toBe(303);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("location")).toBe(`/sign-in?return=${encodeURIComponent(path)}`);
  });

  it("treats a session id the store does not hold as signed out", async () => {
    const forged = { cookie: signedIn.cookie.replace(/=.*$/, "=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") };
    expect((await get("/action-card/9990000018", forged)).status).toBe(303);
  });

  it("asks why before a card opened without a reason (200)", async () => {
    const response = await get("/action-card/999-000-0018");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("NHS number 999 000 0018");
    expect(html).toContain('<form action="/action-card/9990000018" method="get" novalidate>');
  });

  it("re-shows the reason form with errors when the reason is incomplete (400)", async () => {
    const response = await get("/action-card/9990000018?purpose=GUESSING&reference=%20%20");
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("<title>Error: Why you need the action card");
    expect(html).toContain('<a href="#purpose">Choose why you need the card</a>');
    expect(html).toContain('<a href="#reference">Enter the incident, case or meeting number this look-up is for</a>');
  });

  it("sends the form to the card's own address, keeping the reason (303)", async () => {
    const response = await get("/action-card/?nhs=999+000+0018&purpose=EMERGENCY&reference=INC+2%2F3&agreement=");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/action-card/9990000018?purpose=EMERGENCY&reference=INC%202%2F3");
  });

  it("checks the NHS number and the reason together on the form (400)", async () => {
    const response = await get("/action-card/?nhs=123&reference=&agreement=");
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('<a href="#nhs-number">An NHS number has 10 digits; this one has 3.</a>');
    expect(html).toContain('<a href="#purpose">Choose why you need the card</a>');
    expect(html).toContain('value="123"');
  });

  it("asks an officer whose gateway sign-in has run out to sign in again, back to the card (401)", async () => {
    const path = "/action-card/9990000018?purpose=MISSING_EPISODE&reference=INC-1";
    const response = await get(path, expired);
    expect(response.status).toBe(401);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain("Your sign-in to the gateway has expired");
    expect(html).toContain(`href="/sign-in?return=${encodeURIComponent(path)}"`);
  });
});
