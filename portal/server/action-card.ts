import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { formatNhsNumber, parseNhsNumber } from "@safeguarding/shared/nhs-number";
import { ROLE_DESCRIPTIONS } from "@safeguarding/shared/identity";
import {
  cardPath,
  formValuesFrom,
  parsePurpose,
  purposeMissing,
  PURPOSE_LABELS,
  renderCardForm,
  renderErrorSummary,
  type CardField,
  type CardFormValues,
  type CardPurpose,
  type FieldError,
} from "./card-form.ts";
import type { Course, DemoOfficer } from "./course.ts";
import { gatewayRoleFor, type GatewayTokens } from "./gateway-identity.ts";
import { escapeHtml } from "./html.ts";
import { log } from "./log.ts";
import { officerDisplayName } from "./progress-store.ts";
import type { Sessions } from "./session.ts";

/**
 * The printable out-of-hours action card: GET /action-card/<NHS number>?purpose=…&reference=… asks the gateway for
 * `child(id, purpose) { actionCard }` as the signed-in officer and renders it on the server (no script needed)
 * inside the portal's own page shell, with print styles that fit one A4 page. The card is personal data: a
 * signed-out visitor is asked to sign in, and an officer who has not said why is asked first.
 */

const SOURCE = "source { agency system department }";
export const ACTION_CARD_QUERY = /* GraphQL */ `
  query PortalActionCard($id: ID!, $purpose: AccessPurposeInput!) {
    child(id: $id, purpose: $purpose) {
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
    placement: {
      name: string;
      /** Null, with a FORBIDDEN error, for a role that may not see it. */
      address: string | null;
      carer: string;
      phone: string;
      asOf: string;
      source: Source;
    } | null;
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

interface GatewayError {
  message: string;
  /** `field` names what was refused (FORBIDDEN, "Type.field") or what to fix (BAD_USER_INPUT, "purpose.reference"). */
  extensions?: { code?: string; field?: string };
}

interface GraphqlAnswer {
  data?: { child: { actionCard: ActionCard | null } | null } | null;
  errors?: GatewayError[];
}

export interface ActionCardOptions {
  /** The gateway's GraphQL endpoint. */
  gatewayUrl: string;
  /** The built site: the card is shown inside the /action-card/ page's shell (header, navigation, styles). */
  siteDir: string;
  /** How long to wait for the gateway. */
  timeoutMs?: number;
  /** Who is signed in (the portal's demo sign-in cookie). */
  sessions: Sessions;
  /** The demo officers a session can name. */
  course: Pick<Course, "officerById">;
  /** Bearer tokens for the gateway; null where the portal has no way to get one (production without single sign-on). */
  gatewayTokens: GatewayTokens | null;
}

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

/** A refused field as an officer would name it: "ActionCardPlacement.address" is "Placement address". */
export function withheldFieldName(field: string): string {
  const [type = "", name = ""] = field.split(".");
  const words = `${type.replace(/^ActionCard/, "")} ${name.replace(/([A-Z])/g, " $1").toLowerCase()}`.trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The gateway's refusal without its opening "The ROLE role may not see Type.field.", which the list already says. */
export function withheldReason(message: string): string {
  const reason = message.replace(/^The [A-Z_]+ role may not see [\w.]+\.\s*/, "");
  return reason || message;
}

export interface CardNotes {
  /** Why part of the card is missing (an agency not answering). */
  warnings?: string[];
  /** Fields the officer's role may not see, with the gateway's reason. */
  withheld?: { field: string; message: string }[];
  /** Who opened the card and why, printed on it. */
  openedBy?: { officer: string; purpose: CardPurpose };
}

export function renderActionCard(card: ActionCard, notes: CardNotes = {}): string {
  const { warnings = [], withheld = [], openedBy } = notes;
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
  const withheldNotice = withheld.length
    ? `<div class="govuk-inset-text app-card__withheld"><p class="govuk-body app-card__text"><strong>Not shown to your role:</strong></p><ul class="govuk-list">${withheld
        .map((w) => `<li>${escapeHtml(withheldFieldName(w.field))}: ${escapeHtml(withheldReason(w.message))}</li>`)
        .join("")}</ul></div>`
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
      `<p class="govuk-body app-card__text"><strong>Placement:</strong> ${escapeHtml(p.name)}, ${p.address === null ? "address not shown to your role" : escapeHtml(p.address)}. Carer ${escapeHtml(p.carer)}, ${phoneLink(p.phone)}. ${source(p.source, p.asOf)}</p>`,
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
  <p class="govuk-body app-card__meta">NHS number ${escapeHtml(child.nhsNumber)}. Put together ${escapeHtml(ukTime(card.generatedAt))} from police, social care and health records; each item says where it comes from and how current it is.${openedBy ? ` Opened by ${escapeHtml(openedBy.officer)} for: ${escapeHtml(PURPOSE_LABELS[openedBy.purpose.code].toLowerCase())}, ${escapeHtml(openedBy.purpose.reference)}${openedBy.purpose.agreement ? `, under ${escapeHtml(openedBy.purpose.agreement)}` : ""}; the gateway has recorded this look-up.` : ""}</p>
  ${banner}${withheldNotice}${missing}
  <div class="app-card__body">${who}${legal}${place}${calls}${risks}${decisions}</div>
  <p class="govuk-body app-no-print"><a class="govuk-link" href="/action-card/">Look up another child</a></p>
</div>`;
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

const TRY_AGAIN =
  "Try again in a minute. If it keeps failing, call the council's Emergency Duty Team for the child's plan.";

/** "purpose.reference is empty: …" reads "The reference is empty: …" on the form. */
const FIELD_NAMES: Record<string, { field: CardField; name: string }> = {
  "purpose.code": { field: "purpose", name: "The reason" },
  "purpose.reference": { field: "reference", name: "The reference" },
  "purpose.agreement": { field: "agreement", name: "The data-sharing agreement" },
};

function purposeError(error: GatewayError): FieldError | null {
  const path = error.extensions?.field ?? "";
  const known = FIELD_NAMES[path];
  if (known) {
    const message = error.message.startsWith(path) ? `${known.name}${error.message.slice(path.length)}` : error.message;
    return { field: known.field, message };
  }
  return path.startsWith("purpose") ? { field: "purpose", message: error.message } : null;
}

type GatewayReply = { ok: true; answer: GraphqlAnswer } | { ok: false; reason: string };

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
    layout: "card" | "column" = "column",
  ) {
    shell ??= loadShell(options.siteDir);
    // Forms and messages read best at two-thirds width, as on the form page; the card uses the whole width.
    const main =
      layout === "card"
        ? body
        : `<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">${body}</div></div>`;
    send(request, response, status, page(await shell, title, main));
  }

  const paragraphs = (sentences: string[]) => sentences.map((s) => `<p class="govuk-body">${s}</p>`).join("");
  const problemPage = (heading: string, sentences: string[]) =>
    `<h1 class="govuk-heading-l">${escapeHtml(heading)}</h1>${paragraphs(sentences.map(escapeHtml))}`;
  const anotherChild = `<p class="govuk-body"><a class="govuk-link" href="/action-card/">Look up a different child</a></p>`;

  function signedInOfficer(request: IncomingMessage): DemoOfficer | null {
    const id = options.sessions.officerIdFrom(request);
    return id ? (options.course.officerById(id) ?? null) : null;
  }

  const signInPage = (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const back = `/sign-in/?return=${encodeURIComponent(`${url.pathname}${url.search}`)}`;
    return sendPage(
      request,
      response,
      401,
      "Sign in to see the action card",
      `<h1 class="govuk-heading-l">Sign in to see the action card</h1>${paragraphs([
        "The action card holds personal information about a child, so only a signed-in officer can open it.",
        `<a class="govuk-link" href="${escapeHtml(back)}">Sign in as a demo officer</a> and you will come straight back to this card.`,
      ])}`,
    );
  };

  // GOV.UK pattern: the error summary comes first, and the title starts with "Error:".
  const lookupForm = (
    request: IncomingMessage,
    response: ServerResponse,
    values: CardFormValues,
    errors: FieldError[],
  ) =>
    sendPage(
      request,
      response,
      400,
      "Error: Out-of-hours action card",
      `${renderErrorSummary(errors)}<h1 class="govuk-heading-l">Out-of-hours action card</h1>${renderCardForm(values, errors)}`,
    );

  /** The form for one child's card when the officer has not yet said why (200), or said it wrongly (400). */
  const purposeForm = (
    request: IncomingMessage,
    response: ServerResponse,
    childId: string,
    values: CardFormValues,
    errors: FieldError[] = [],
  ) =>
    sendPage(
      request,
      response,
      errors.length ? 400 : 200,
      `${errors.length ? "Error: " : ""}Why you need the action card`,
      `${renderErrorSummary(errors)}<span class="govuk-caption-l">NHS number ${escapeHtml(formatNhsNumber(childId))}</span>
<h1 class="govuk-heading-l">Why you need the action card</h1>
<p class="govuk-body">The card holds personal information about a child. Say why you need it before it is shown.</p>
${renderCardForm(values, errors, { childId })}${anotherChild}`,
    );

  async function askGateway(id: string, purpose: CardPurpose, token: string): Promise<GatewayReply> {
    let response: Response;
    try {
      response = await fetch(options.gatewayUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: ACTION_CARD_QUERY, variables: { id, purpose } }),
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

  const refusedSignIn = (reply: GatewayReply) =>
    reply.ok && (reply.answer.errors ?? []).some((e) => e.extensions?.code === "UNAUTHENTICATED");

  /** Asks as the officer; a refused token is dropped and a fresh one tried once (it may have just expired). */
  async function askAs(officer: DemoOfficer, id: string, purpose: CardPurpose, tokens: GatewayTokens) {
    let reply = await askGateway(id, purpose, await tokens.tokenFor(officer));
    if (refusedSignIn(reply)) {
      tokens.forget(officer);
      reply = await askGateway(id, purpose, await tokens.tokenFor(officer));
      if (refusedSignIn(reply)) tokens.forget(officer);
    }
    return reply;
  }

  async function showCard(
    request: IncomingMessage,
    response: ServerResponse,
    officer: DemoOfficer,
    raw: string,
    values: CardFormValues,
  ) {
    const parsed = parseNhsNumber(raw);
    if (!parsed.ok) {
      await lookupForm(request, response, { ...values, nhs: raw }, [{ field: "nhs", message: parsed.reason }]);
      return;
    }
    const id = parsed.value;
    const nhs = formatNhsNumber(id);
    if (purposeMissing(values)) {
      await purposeForm(request, response, id, values);
      return;
    }
    const purpose = parsePurpose(values);
    if (!purpose.ok) {
      await purposeForm(request, response, id, values, purpose.errors);
      return;
    }
    const tokens = options.gatewayTokens;
    if (!tokens) {
      await sendPage(
        request,
        response,
        503,
        "Single sign-on is not set up",
        problemPage("Single sign-on to the Safeguarding Gateway is not set up", [
          `The portal has no way to sign you in to the gateway on this server, so the action card for ${nhs} cannot be shown.`,
          "Call the council's Emergency Duty Team for the child's plan, and report the fault to your service desk.",
        ]),
      );
      return;
    }
    let reply: GatewayReply;
    try {
      reply = await askAs(officer, id, purpose.value, tokens);
    } catch (error) {
      log.error({ error: String(error) }, "no gateway token for the action card");
      await sendPage(
        request,
        response,
        503,
        "The portal could not sign you in to the gateway",
        problemPage("The portal could not sign you in to the Safeguarding Gateway", [
          `The action card for ${nhs} cannot be shown now.`,
          TRY_AGAIN,
        ]),
      );
      return;
    }
    if (!reply.ok) {
      await sendPage(
        request,
        response,
        503,
        "The gateway is not answering",
        problemPage("The Safeguarding Gateway is not answering", [
          `The gateway ${reply.reason}, so the action card for ${nhs} cannot be shown now.`,
          TRY_AGAIN,
        ]),
      );
      return;
    }
    const { answer } = reply;
    const card = answer.data?.child?.actionCard ?? null;
    const errors = answer.errors ?? [];
    const forbidden = errors.filter((e) => e.extensions?.code === "FORBIDDEN");
    const others = errors.filter((e) => e.extensions?.code !== "FORBIDDEN");
    if (card) {
      await sendPage(
        request,
        response,
        200,
        `Action card: ${card.child.name}`,
        renderActionCard(card, {
          warnings: others.map((e) => e.message),
          withheld: forbidden.map((e) => ({ field: e.extensions?.field ?? "", message: e.message })),
          openedBy: { officer: `${officer.rank} ${officer.name}`, purpose: purpose.value },
        }),
        "card",
      );
      return;
    }
    if (refusedSignIn(reply)) {
      await sendPage(
        request,
        response,
        503,
        "The gateway did not accept your sign-in",
        problemPage("The Safeguarding Gateway did not accept your sign-in", [
          `The gateway refused the portal's sign-in for you, so the action card for ${nhs} cannot be shown.`,
          "Sign out and sign in again. If it keeps failing, call the council's Emergency Duty Team for the child's plan and report the fault to your service desk.",
        ]),
      );
      return;
    }
    const badInput = errors.filter((e) => e.extensions?.code === "BAD_USER_INPUT");
    const purposeErrors = badInput.map(purposeError).filter((e): e is FieldError => e !== null);
    if (purposeErrors.length > 0) {
      await purposeForm(request, response, id, values, purposeErrors);
      return;
    }
    if (badInput.length > 0) {
      await lookupForm(request, response, { ...values, nhs: raw }, [{ field: "nhs", message: badInput[0].message }]);
      return;
    }
    if (forbidden.length > 0 && others.length === 0) {
      const role = gatewayRoleFor(officer);
      await sendPage(
        request,
        response,
        403,
        "Your role cannot see children's records",
        `<h1 class="govuk-heading-l">Your role cannot see children's records</h1>${paragraphs([
          `You are signed in as ${escapeHtml(officerDisplayName(officer))}. Your role in the gateway is “${escapeHtml(ROLE_DESCRIPTIONS[role])}”, so it did not show the action card for ${escapeHtml(nhs)}.`,
          "If you need the card for a child you are dealing with now, ask the control room or the council's Emergency Duty Team.",
          `<a class="govuk-link" href="/sign-in/?return=${escapeHtml(encodeURIComponent(cardPath(id, purpose.value)))}">Sign in as a different officer</a>`,
        ])}<details class="govuk-details"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">What the gateway said</span></summary><div class="govuk-details__text">${forbidden.map((e) => `<p class="govuk-body">${escapeHtml(e.message)}</p>`).join("")}</div></details>`,
      );
      return;
    }
    if (errors.length > 0) {
      await sendPage(
        request,
        response,
        503,
        "Part of the record is not available",
        problemPage("The action card cannot be shown now", [...errors.map((e) => e.message), TRY_AGAIN]),
      );
      return;
    }
    await sendPage(
      request,
      response,
      404,
      "No record of this child",
      `${problemPage("No agency holds a record of this child", [
        `Police, social care and health have no record of NHS number ${nhs}. Check the number, or search for the child by name in the control room.`,
      ])}${renderCardForm({ ...values, nhs: raw })}`,
    );
  }

  return {
    /**
     * Answers /action-card/<NHS number> and the form's /action-card/?nhs=…&purpose=…; returns false for anything
     * else, including the bare form page, which the built site serves.
     */
    async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
      const { pathname } = url;
      if (pathname !== "/action-card" && !pathname.startsWith("/action-card/")) return false;
      if (request.method !== "GET" && request.method !== "HEAD") return false;
      const rest = pathname.slice("/action-card".length).replace(/^\/+|\/+$/g, "");
      const values = formValuesFrom(url.searchParams);
      if (!rest && values.nhs === undefined) return false;
      // Showing a card is a recorded look at a child's record: only a real GET does it, never a HEAD probe.
      if (request.method === "HEAD") {
        response.writeHead(405, { allow: "GET", "cache-control": "no-store" });
        response.end();
        return true;
      }
      const officer = signedInOfficer(request);
      if (!officer) {
        await signInPage(request, response, url);
        return true;
      }
      if (rest) {
        let raw: string;
        try {
          raw = decodeURIComponent(rest);
        } catch {
          raw = rest;
        }
        await showCard(request, response, officer, raw, values);
        return true;
      }
      // The form: check everything the officer gave at once, then send them to the card's own address.
      const nhs = values.nhs ?? "";
      const parsed = parseNhsNumber(nhs);
      const purpose = purposeMissing(values) ? null : parsePurpose(values);
      const errors = [
        ...(parsed.ok ? [] : [{ field: "nhs" as const, message: parsed.reason }]),
        ...(purpose && !purpose.ok ? purpose.errors : []),
      ];
      if (!parsed.ok || (purpose && !purpose.ok)) {
        await lookupForm(request, response, values, errors);
        return true;
      }
      response.writeHead(303, {
        location: purpose ? cardPath(parsed.value, purpose.value) : `/action-card/${parsed.value}`,
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
      });
      response.end();
      return true;
    },
  };
}
