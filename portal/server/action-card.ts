import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { formatNhsNumber, parseNhsNumber } from "@safeguarding/kit";

/**
 * The printable out-of-hours action card: GET /action-card/<NHS number> asks the gateway for
 * `child(id) { actionCard }` and renders it on the server (no script needed) inside the portal's own page shell,
 * with print styles that fit one A4 page.
 */

const SOURCE = "source { agency system department }";
export const ACTION_CARD_QUERY = /* GraphQL */ `
  query PortalActionCard($id: ID!) {
    child(id: $id) {
      actionCard {
        generatedAt
        child { nhsNumber name knownAs dateOfBirth ageYears asOf ${SOURCE} discrepancies }
        legalStatus { code name since court conditions whoDecidesWhereChildLives meaning officerMust officerMustNot asOf ${SOURCE} }
        whereToReturn {
          childMissing
          missingEpisode { text detail asOf ${SOURCE} }
          returnTo { text asOf ${SOURCE} }
          placement { name address carer phone asOf ${SOURCE} }
          doNotReturnTo { text asOf ${SOURCE} }
          notes { text asOf ${SOURCE} }
          withheld
        }
        whoToCall { order role name phone note asOf ${SOURCE} }
        risks { kind text detail asOf ${SOURCE} }
        decisions { text detail asOf ${SOURCE} }
        gaps
      }
    }
  }
`;

interface Source {
  agency: "POLICE" | "SOCIAL_CARE" | "HEALTH";
  system: string;
  department: string;
}

interface Item {
  text: string;
  detail?: string | null;
  asOf: string;
  source: Source;
}

export interface ActionCard {
  generatedAt: string;
  child: {
    nhsNumber: string;
    name: string;
    knownAs: string | null;
    dateOfBirth: string;
    ageYears: number;
    asOf: string;
    source: Source;
    discrepancies: string[];
  };
  legalStatus: {
    code: string;
    name: string;
    since: string;
    court: string | null;
    conditions: string | null;
    whoDecidesWhereChildLives: string;
    meaning: string | null;
    officerMust: string[];
    officerMustNot: string[];
    asOf: string;
    source: Source;
  } | null;
  whereToReturn: {
    childMissing: boolean;
    missingEpisode: Item | null;
    returnTo: Item | null;
    placement: { name: string; address: string; carer: string; phone: string; asOf: string; source: Source } | null;
    doNotReturnTo: Item[];
    notes: Item | null;
    withheld: string | null;
  };
  whoToCall: {
    order: number;
    role: string;
    name: string;
    phone: string | null;
    note: string | null;
    asOf: string;
    source: Source;
  }[];
  risks: (Item & { kind: "MISSING_NOW" | "CSE_CONCERN" | "WARNING_MARKER" | "PROTOCOL_FLAG" })[];
  decisions: Item[];
  gaps: string[];
}

interface GraphqlAnswer {
  data?: { child: { actionCard: ActionCard | null } | null } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface ActionCardOptions {
  /** The gateway's GraphQL endpoint. */
  gatewayUrl: string;
  /** The built site: the card is shown inside the /action-card/ page's shell (header, navigation, styles). */
  siteDir: string;
  /** How long to wait for the gateway. */
  timeoutMs?: number;
}

const escapeHtml = (value: unknown) =>
  String(value ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const FORMAT = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "26 Nov 2026, 13:20" in UK time. */
function ukTime(value: string): string {
  const p = Object.fromEntries(FORMAT.formatToParts(new Date(value)).map((part) => [part.type, part.value]));
  return `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
}

function ukDate(value: string): string {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

const AGENCY: Record<Source["agency"], string> = { POLICE: "Police", SOCIAL_CARE: "Social care", HEALTH: "Health" };

const source = (s: Source, asOf: string) =>
  `<span class="app-card__source">${escapeHtml(AGENCY[s.agency] ?? s.agency)}, ${escapeHtml(s.department)}; as of ${escapeHtml(ukTime(asOf))}</span>`;

const phoneLink = (phone: string | null) =>
  phone
    ? `<a class="govuk-link app-card__phone" href="tel:${escapeHtml(phone.replace(/[^\d+]/g, ""))}">${escapeHtml(phone)}</a>`
    : "no number recorded";

function itemList(items: Item[], className = "govuk-list govuk-list--bullet") {
  return `<ul class="${className}">${items
    .map(
      (item) =>
        `<li>${escapeHtml(item.text)}${item.detail ? ` <span class="app-card__detail">${escapeHtml(item.detail)}</span>` : ""} ${source(item.source, item.asOf)}</li>`,
    )
    .join("")}</ul>`;
}

export function renderActionCard(card: ActionCard, warnings: string[] = []): string {
  const { child, legalStatus, whereToReturn: where } = card;
  const first = child.name.split(" ")[0];
  const section = (id: string, title: string, body: string) =>
    `<section class="app-card__section" aria-labelledby="${id}"><h2 class="govuk-heading-s app-card__heading" id="${id}">${title}</h2>${body}</section>`;

  const problems = [...warnings, ...card.gaps];
  const banner = problems.length
    ? `<div class="govuk-warning-text app-card__warning"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><div class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>Part of this card is missing.<ul class="govuk-list">${[
        ...new Set(problems),
      ]
        .map((p) => `<li>${escapeHtml(p)}</li>`)
        .join("")}</ul></div></div>`
    : "";
  const missing = where.missingEpisode
    ? `<div class="govuk-warning-text app-card__warning"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><div class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>${escapeHtml(first)} is missing now. ${escapeHtml(where.missingEpisode.text)} ${escapeHtml(where.missingEpisode.detail ?? "")}</div></div>`
    : "";

  const who = section(
    "card-who",
    "1. Who the child is",
    `<dl class="app-card__facts">
      <dt>Name</dt><dd>${escapeHtml(child.name)}${child.knownAs ? `, known as ${escapeHtml(child.knownAs)}` : ""}</dd>
      <dt>Age</dt><dd>${child.ageYears} (born ${escapeHtml(ukDate(child.dateOfBirth))})</dd>
      <dt>NHS number</dt><dd>${escapeHtml(child.nhsNumber)}</dd>
    </dl>
    ${child.discrepancies.length ? `<p class="govuk-body app-card__text">Agencies disagree: ${child.discrepancies.map(escapeHtml).join(" ")}</p>` : ""}
    <p class="govuk-body app-card__text">${source(child.source, child.asOf)}</p>`,
  );

  const legal = section(
    "card-legal",
    legalStatus
      ? `2. Legal status: ${escapeHtml(legalStatus.name)} (${escapeHtml(legalStatus.code)})`
      : "2. Legal status",
    legalStatus
      ? `<p class="govuk-body app-card__text"><strong>Who decides where ${escapeHtml(first)} lives:</strong> ${escapeHtml(legalStatus.whoDecidesWhereChildLives)}</p>
      ${legalStatus.meaning ? `<p class="govuk-body app-card__text">${escapeHtml(legalStatus.meaning)}</p>` : ""}
      ${legalStatus.conditions ? `<p class="govuk-body app-card__text"><strong>The order says:</strong> ${escapeHtml(legalStatus.conditions)}</p>` : ""}
      <div class="app-card__duties">
        <div><h3 class="govuk-heading-s app-card__subheading">You must</h3><ul class="govuk-list govuk-list--bullet">${legalStatus.officerMust.map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul></div>
        <div><h3 class="govuk-heading-s app-card__subheading">You must not</h3><ul class="govuk-list govuk-list--bullet">${legalStatus.officerMustNot.map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul></div>
      </div>
      <p class="govuk-body app-card__text">Since ${escapeHtml(ukTime(legalStatus.since))}${legalStatus.court ? `, ${escapeHtml(legalStatus.court)}` : ""}. ${source(legalStatus.source, legalStatus.asOf)}; meaning and duties from the glossary.</p>`
      : `<p class="govuk-body app-card__text">No legal status is recorded. Ask EDT who decides where ${escapeHtml(first)} lives.</p>`,
  );

  const placeParts: string[] = [];
  if (where.returnTo)
    placeParts.push(
      `<p class="govuk-body app-card__text"><strong>Take ${escapeHtml(first)} to:</strong> ${escapeHtml(where.returnTo.text)} ${source(where.returnTo.source, where.returnTo.asOf)}</p>`,
    );
  if (where.placement) {
    const p = where.placement;
    placeParts.push(
      `<p class="govuk-body app-card__text"><strong>Placement:</strong> ${escapeHtml(p.name)}, ${escapeHtml(p.address)}. Carer ${escapeHtml(p.carer)}, ${phoneLink(p.phone)}. ${source(p.source, p.asOf)}</p>`,
    );
  }
  if (where.withheld) placeParts.push(`<p class="govuk-body app-card__text">${escapeHtml(where.withheld)}</p>`);
  if (where.doNotReturnTo.length)
    placeParts.push(
      `<p class="govuk-body app-card__text"><strong>Do not take ${escapeHtml(first)} to:</strong></p>${itemList(where.doNotReturnTo)}`,
    );
  if (where.notes)
    placeParts.push(
      `<p class="govuk-body app-card__text"><strong>Note:</strong> ${escapeHtml(where.notes.text)} ${source(where.notes.source, where.notes.asOf)}</p>`,
    );
  const place = section("card-where", "3. Where to take the child, and where not to", placeParts.join(""));

  const calls = section(
    "card-call",
    "4. Who to call now, in this order",
    card.whoToCall.length
      ? `<ol class="govuk-list govuk-list--number app-card__calls">${card.whoToCall
          .map(
            (c) =>
              `<li><strong>${escapeHtml(c.role)}:</strong> ${escapeHtml(c.name)}, ${phoneLink(c.phone)}${c.note && c.note !== c.role ? `. <span class="app-card__detail">${escapeHtml(c.note)}</span>` : ""} ${source(c.source, c.asOf)}</li>`,
          )
          .join("")}</ol>`
      : `<p class="govuk-body app-card__text">No contacts are recorded. Call the council's Emergency Duty Team.</p>`,
  );

  const risksShown = card.risks.filter((r) => r.kind !== "MISSING_NOW");
  const risks = section(
    "card-risks",
    "5. Current risks and open protocol steps",
    risksShown.length
      ? itemList(risksShown)
      : `<p class="govuk-body app-card__text">No current risks are recorded.</p>`,
  );
  const decisions = section(
    "card-decisions",
    "6. Decisions already made that apply out of hours",
    card.decisions.length
      ? itemList(card.decisions)
      : `<p class="govuk-body app-card__text">No out-of-hours decisions are recorded.</p>`,
  );

  return `<div class="app-card">
  <h1 class="govuk-heading-l app-card__title">Action card: ${escapeHtml(child.name)}</h1>
  <p class="govuk-body app-card__meta">NHS number ${escapeHtml(child.nhsNumber)}. Put together ${escapeHtml(ukTime(card.generatedAt))} from police, social care and health records; each item says where it comes from and how current it is.</p>
  ${banner}${missing}
  <div class="app-card__body">${who}${legal}${place}${calls}${risks}${decisions}</div>
  <p class="govuk-body app-no-print"><a class="govuk-link" href="/action-card/">Look up another child</a></p>
</div>`;
}

const errorSummary = (error: string) =>
  `<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2><div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list"><li><a href="#nhs-number">${escapeHtml(error)}</a></li></ul></div></div></div>`;

/** The NHS number form, with an error when the last one was wrong. */
export function renderLookupForm(value = "", error?: string): string {
  const errorId = "nhs-number-error";
  return `<form action="/action-card/" method="get" novalidate>
  <div class="govuk-form-group${error ? " govuk-form-group--error" : ""}">
    <label class="govuk-label govuk-label--m" for="nhs-number">NHS number</label>
    <div class="govuk-hint" id="nhs-number-hint">10 digits, for example 999 000 0018</div>
    ${error ? `<p id="${errorId}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${escapeHtml(error)}</p>` : ""}
    <input class="govuk-input govuk-input--width-10${error ? " govuk-input--error" : ""}" id="nhs-number" name="nhs" type="text" inputmode="numeric" spellcheck="false" autocomplete="off" value="${escapeHtml(value)}" aria-describedby="nhs-number-hint${error ? ` ${errorId}` : ""}">
  </div>
  <button type="submit" class="govuk-button" data-module="govuk-button">Show action card</button>
</form>`;
}

interface Shell {
  before: string;
  after: string;
}

/** The /action-card/ page of the built site, split around its <main>; a bare page if the site is not built. */
async function loadShell(siteDir: string): Promise<Shell> {
  try {
    const html = await readFile(join(siteDir, "action-card", "index.html"), "utf8");
    const match = /^([\s\S]*<main\b[^>]*>)[\s\S]*(<\/main>[\s\S]*)$/.exec(html);
    if (match) return { before: match[1].replace(/<link rel="canonical"[^>]*>/, ""), after: match[2] };
  } catch {
    // fall through to a bare page
  }
  return {
    before: `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Action card</title></head><body><main id="main-content">`,
    after: `</main></body></html>`,
  };
}

function page(shell: Shell, title: string, body: string): string {
  const before = shell.before
    .replace(/<title>[\s\S]*?<\/title>/, `<title>${escapeHtml(title)} – Safeguarding Gateway</title>`)
    .replace(/(<meta name="description" content=")[^"]*(")/, `$1${escapeHtml(title)}$2`);
  return `${before}${body}${shell.after}`;
}

export function createActionCardRoutes(options: ActionCardOptions) {
  let shell: Promise<Shell> | undefined;
  const timeoutMs = options.timeoutMs ?? 8000;

  function send(request: IncomingMessage, response: ServerResponse, status: number, html: string) {
    response.writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "content-length": String(Buffer.byteLength(html)),
      // The card holds personal data: never cache it, never leak its URL (it carries the NHS number).
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "x-robots-tag": "noindex",
    });
    response.end(request.method === "HEAD" ? undefined : html);
  }

  async function sendPage(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    title: string,
    body: string,
  ) {
    shell ??= loadShell(options.siteDir);
    send(request, response, status, page(await shell, title, body));
  }

  const problemPage = (heading: string, sentences: string[], form = "") =>
    `<h1 class="govuk-heading-l">${escapeHtml(heading)}</h1>${sentences.map((s) => `<p class="govuk-body">${escapeHtml(s)}</p>`).join("")}${form}`;

  // GOV.UK pattern: the error summary comes first, and the title starts with "Error:".
  const badNumber = (request: IncomingMessage, response: ServerResponse, raw: string, reason: string) =>
    sendPage(
      request,
      response,
      400,
      "Error: Check the NHS number",
      `${errorSummary(reason)}${problemPage("Check the NHS number", [], renderLookupForm(raw, reason))}`,
    );

  async function askGateway(id: string): Promise<{ ok: true; answer: GraphqlAnswer } | { ok: false; reason: string }> {
    let response: Response;
    try {
      response = await fetch(options.gatewayUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: ACTION_CARD_QUERY, variables: { id } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      return {
        ok: false,
        reason: timedOut ? `did not answer within ${timeoutMs / 1000} seconds` : "could not be reached",
      };
    }
    const answer = (await response.json().catch(() => null)) as GraphqlAnswer | null;
    if (!answer || (!answer.data && !answer.errors))
      return { ok: false, reason: `answered with an error (HTTP ${response.status})` };
    return { ok: true, answer };
  }

  async function showCard(request: IncomingMessage, response: ServerResponse, raw: string) {
    const parsed = parseNhsNumber(raw);
    if (!parsed.ok) {
      await badNumber(request, response, raw, parsed.reason);
      return;
    }
    const nhs = formatNhsNumber(parsed.value);
    const reply = await askGateway(parsed.value);
    if (!reply.ok) {
      await sendPage(
        request,
        response,
        503,
        "The gateway is not answering",
        problemPage("The Safeguarding Gateway is not answering", [
          `The gateway ${reply.reason}, so the action card for ${nhs} cannot be shown now.`,
          "Try again in a minute. If it keeps failing, call the council's Emergency Duty Team for the child's plan.",
        ]),
      );
      return;
    }
    const { answer } = reply;
    const card = answer.data?.child?.actionCard ?? null;
    const errors = answer.errors ?? [];
    if (card) {
      await sendPage(
        request,
        response,
        200,
        `Action card: ${card.child.name}`,
        renderActionCard(
          card,
          errors.map((e) => e.message),
        ),
      );
      return;
    }
    const badInput = errors.find((e) => e.extensions?.code === "BAD_USER_INPUT");
    if (badInput) {
      await badNumber(request, response, raw, badInput.message);
      return;
    }
    if (errors.length > 0) {
      await sendPage(
        request,
        response,
        503,
        "Part of the record is not available",
        problemPage("The action card cannot be shown now", [
          ...errors.map((e) => e.message),
          "Try again in a minute. If it keeps failing, call the council's Emergency Duty Team for the child's plan.",
        ]),
      );
      return;
    }
    await sendPage(
      request,
      response,
      404,
      "No record of this child",
      problemPage(
        "No agency holds a record of this child",
        [
          `Police, social care and health have no record of NHS number ${nhs}. Check the number, or search for the child by name in the control room.`,
        ],
        renderLookupForm(raw),
      ),
    );
  }

  return {
    /** Answers /action-card/<NHS number> and the form's /action-card/?nhs=…; returns false for anything else. */
    async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
      const { pathname } = url;
      if (pathname !== "/action-card" && !pathname.startsWith("/action-card/")) return false;
      if (request.method !== "GET" && request.method !== "HEAD") return false;
      const rest = pathname.slice("/action-card".length).replace(/^\/+|\/+$/g, "");
      if (!rest) {
        const nhs = url.searchParams.get("nhs");
        if (nhs === null) return false; // the form page itself, from the built site
        const parsed = parseNhsNumber(nhs);
        if (!parsed.ok) {
          await showCard(request, response, nhs);
          return true;
        }
        response.writeHead(303, {
          location: `/action-card/${parsed.value}`,
          "cache-control": "no-store",
          "referrer-policy": "no-referrer",
        });
        response.end();
        return true;
      }
      let raw: string;
      try {
        raw = decodeURIComponent(rest);
      } catch {
        raw = rest;
      }
      await showCard(request, response, raw);
      return true;
    },
  };
}
