import { formatNhsNumber } from "@safeguarding/shared/nhs-number";
import {
  PURPOSE_LABELS,
  renderCardForm,
  renderErrorSummary,
  type CardFormValues,
  type CardPurpose,
  type FieldError,
} from "./card-form.ts";
import type { CardAlerts } from "./action-card-gateway.ts";
import type { ActionCard, ChildAlert } from "./action-card-query.ts";
import { kindInWords } from "./alerts-view.ts";
import { escapeHtml } from "./html.ts";
import { paragraphs, problemPage } from "./pages.ts";

/**
 * The action card's HTML: the card itself, rendered on the server (no script needed) with print styles that fit one
 * A4 page, and the pages around it (say why, sign in again, something went wrong), inside the portal's own page shell.
 */

type Source = ActionCard["child"]["source"];

/** A dated line of the card with where it comes from; `detail` where the query asks for one. */
interface Item {
  text: string;
  detail?: string | null;
  asOf: string;
  source: Source;
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
export function ukTime(value: string): string {
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
  `<span class="app-card__source">${escapeHtml(AGENCY[s.agency] ?? s.agency)}<span class="app-card__department">, ${escapeHtml(s.department)}</span>; as of ${escapeHtml(ukTime(asOf))}</span>`;

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
  /** The child's alerts nobody has acknowledged, asked for beside the card; not shown when not asked. */
  alerts?: CardAlerts;
}

/** The card lists this many alerts at most, so it still prints on one page; the rest are counted. */
export const CARD_ALERTS_SHOWN = 5;

/**
 * One alert: what, when, who was told (and why), then the summary; not yet acknowledged as of the card's making. On
 * paper it is one line (reasons and source left out, the summary cut short) so the card still fits one A4 page.
 */
function alertLine(alert: ChildAlert, asOf: string): string {
  const sentTo =
    alert.sentTo
      .map((r) => `${escapeHtml(r.name)}<span class="app-card__reason"> (${escapeHtml(r.reason)})</span>`)
      .join(", ") || "nobody";
  const escalated = alert.escalatedTo.length ? `; escalated to ${escapeHtml(alert.escalatedTo.join(", "))}` : "";
  return `<li><strong>${escapeHtml(kindInWords(alert.kind))}</strong>, ${escapeHtml(ukTime(alert.raisedAt))}. Sent to ${sentTo}${escalated}. <span class="app-card__detail">${escapeHtml(alert.summary)}</span> ${source({ agency: alert.sourceAgency, system: "", department: "alerts service" }, asOf)}</li>`;
}

/** "Alerts not yet acknowledged": what people were told about the child and nobody has picked up yet. */
export function renderCardAlerts(alerts: CardAlerts, asOf: string): string {
  const heading = `<h3 class="govuk-heading-s app-card__subheading" id="card-alerts">Alerts not yet acknowledged</h3>`;
  const text = (body: string) => `<p class="govuk-body app-card__text">${body}</p>`;
  let body: string;
  if (alerts.kind === "unchecked")
    body = text(
      "Alerts could not be checked: the alerts service did not answer. Ask EDT whether anyone has been told.",
    );
  else if (alerts.kind === "withheld") body = text("Not shown to your role.");
  else if (alerts.alerts.length === 0) body = text("None.");
  else {
    const shown = alerts.alerts.slice(0, CARD_ALERTS_SHOWN);
    const more = alerts.alerts.length - shown.length;
    body = `<ul class="govuk-list govuk-list--bullet">${shown.map((alert) => alertLine(alert, asOf)).join("")}</ul>${
      more > 0 ? text(`and ${more} more.`) : ""
    }`;
  }
  return `<div class="app-card__alerts">${heading}${body}</div>`;
}

export function renderActionCard(card: ActionCard, notes: CardNotes = {}): string {
  const { warnings = [], withheld = [], openedBy, alerts } = notes;
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
  if (where.recentlyFound)
    placeParts.push(
      `<p class="govuk-body app-card__text"><strong>${escapeHtml(where.recentlyFound.text)}</strong> ${escapeHtml(where.recentlyFound.detail ?? "")} ${source(where.recentlyFound.source, where.recentlyFound.asOf)}</p>`,
    );
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
    `${
      risksShown.length
        ? itemList(risksShown)
        : `<p class="govuk-body app-card__text">No current risks are recorded.</p>`
    }${alerts ? renderCardAlerts(alerts, card.generatedAt) : ""}`,
  );
  const decisions = section(
    "card-decisions",
    "6. Decisions already made that apply out of hours",
    card.decisions.length
      ? itemList(card.decisions)
      : `<p class="govuk-body app-card__text">No out-of-hours decisions are recorded.</p>`,
  );

  const refusal = card.ifChildRefuses;
  const refuses = refusal
    ? section(
        "card-refuses",
        `7. If ${escapeHtml(first)} will not go back`,
        // Its "must" list is what sections 4 and 8 already say (call EDT, record); the card keeps the limits.
        `<p class="govuk-body app-card__text">${escapeHtml(refusal.summary)}</p>
      <div class="app-card__guidance"><h3 class="govuk-heading-s app-card__subheading">You must not</h3><ul class="govuk-list govuk-list--bullet">${refusal.officerMustNot.map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul></div>
      <p class="govuk-body app-card__text"><strong>Call:</strong> ${refusal.call.map(escapeHtml).join("; ")}. From the glossary.</p>`,
      )
    : "";
  const record = section(
    "card-record",
    "8. Record",
    `<div class="app-card__guidance"><ul class="govuk-list govuk-list--bullet">${card.record.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ul></div>`,
  );

  return `<div class="app-card">
  <h1 class="govuk-heading-l app-card__title">Action card: ${escapeHtml(child.name)}</h1>
  <p class="govuk-body app-card__meta">NHS number ${escapeHtml(child.nhsNumber)}. Put together ${escapeHtml(ukTime(card.generatedAt))} from police, social care and health records; each item says where it comes from and how current it is.${openedBy ? ` Opened by ${escapeHtml(openedBy.officer)} for: ${escapeHtml(PURPOSE_LABELS[openedBy.purpose.code].toLowerCase())}, ${escapeHtml(openedBy.purpose.reference)}${openedBy.purpose.agreement ? `, under ${escapeHtml(openedBy.purpose.agreement)}` : ""}; the gateway has recorded this look-up.` : ""}</p>
  ${banner}${withheldNotice}${missing}
  <div class="app-card__body">${who}${legal}${place}${calls}${risks}${decisions}${refuses}${record}</div>
  <p class="govuk-body app-no-print"><a class="govuk-link" href="/action-card/">Look up another child</a></p>
</div>`;
}

const anotherChild = `<p class="govuk-body"><a class="govuk-link" href="/action-card/">Look up a different child</a></p>`;

// GOV.UK pattern: the error summary comes first (and the page title starts with "Error:").
export function lookupFormBody(values: CardFormValues, errors: FieldError[]): string {
  return `${renderErrorSummary(errors)}<h1 class="govuk-heading-l">Out-of-hours action card</h1>${renderCardForm(values, errors)}`;
}

/** The form for one child's card when the officer has not yet said why, or said it wrongly. */
export function purposeFormBody(childId: string, values: CardFormValues, errors: FieldError[]): string {
  return `${renderErrorSummary(errors)}<span class="govuk-caption-l">NHS number ${escapeHtml(formatNhsNumber(childId))}</span>
<h1 class="govuk-heading-l">Why you need the action card</h1>
<p class="govuk-body">The card holds personal information about a child. Say why you need it before it is shown.</p>
${renderCardForm(values, errors, { childId })}${anotherChild}`;
}

export interface RoleRefusal {
  /** The officer as the portal names them. */
  officer: string;
  /** What their role in the gateway is for; null when their sign-in carries no role the portal knows. */
  roleDescription: string | null;
  nhs: string;
  /** Where "sign in as a different officer" comes back to. */
  back: string;
  /** What the gateway said. */
  messages: string[];
}

export function roleRefusedBody(refusal: RoleRefusal): string {
  return `<h1 class="govuk-heading-l">Your role cannot see children's records</h1>${paragraphs([
    `You are signed in as ${escapeHtml(refusal.officer)}. ${
      refusal.roleDescription === null
        ? "Your sign-in carries no role the gateway recognises"
        : `Your role in the gateway is “${escapeHtml(refusal.roleDescription)}”`
    }, so it did not show the action card for ${escapeHtml(refusal.nhs)}.`,
    "If you need the card for a child you are dealing with now, ask the control room or the council's Emergency Duty Team.",
    // prompt=login: the provider still has this officer's session and would otherwise sign the same one in again.
    `<a class="govuk-link" href="${escapeHtml(signInHref(refusal.back, { anotherUser: true }))}">Sign in as a different officer</a>`,
  ])}<details class="govuk-details"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">What the gateway said</span></summary><div class="govuk-details__text">${refusal.messages.map((m) => `<p class="govuk-body">${escapeHtml(m)}</p>`).join("")}</div></details>`;
}

/** The way in to sign in, coming back to `back` (a portal path) afterwards. */
export function signInHref(back: string, options: { anotherUser?: boolean } = {}): string {
  return `/sign-in?${options.anotherUser ? "prompt=login&" : ""}return=${encodeURIComponent(back)}`;
}

/** The gateway's access token has run out (they last an hour, and the provider issues no refresh token). */
export function signInExpiredBody(back: string, nhs: string): string {
  return `<h1 class="govuk-heading-l">Your sign-in to the gateway has expired</h1>${paragraphs([
    `The action card for ${escapeHtml(nhs)} is read from the Safeguarding Gateway as you, and your sign-in to it lasts an hour. It has run out, so the card was not asked for.`,
    `<a class="govuk-link" href="${escapeHtml(signInHref(back))}">Sign in again</a> and you will come straight back to this card.`,
  ])}`;
}

export function notFoundBody(nhs: string, values: CardFormValues): string {
  return `${problemPage("No agency holds a record of this child", [
    `Police, social care and health have no record of NHS number ${nhs}. Check the number, or search for the child by name in the control room.`,
  ])}${renderCardForm(values)}`;
}
