import { createHash } from "node:crypto";
import { formatNhsNumber, parseNhsNumber } from "@safeguarding/shared/nhs-number";
import { ukTime } from "./action-card-view.ts";
import { type Alert, NOTE_MAX_LENGTH } from "./alerts-gateway.ts";
import { escapeHtml } from "./html.ts";

/**
 * The "Your alerts" page, rendered on the server: complete without JavaScript. The list part (renderAlertList) is
 * also what the live stream sends, so the page and its refreshes come from one rendering.
 */

const KIND_WORDS: Record<string, string> = {
  MISSING_REPORTED: "Reported missing",
  FOUND: "Found",
  HELD_AT_POLICE_STATION: "Held at a police station",
  LEGAL_STATUS_CHANGED: "Legal status changed",
  PROTOCOL_OVERDUE: "Protocol step overdue",
  MENTAL_HEALTH_ESCALATION_DUE: "Mental health escalation due",
};

const AGENCY_WORDS: Record<string, string> = { POLICE: "Police", SOCIAL_CARE: "Social care", HEALTH: "Health" };

/** "Reported missing"; a kind this portal does not know yet reads as its code, in words ("NEW KIND"). */
export const kindInWords = (kind: string) => KIND_WORDS[kind] ?? kind.replace(/_/g, " ").toLowerCase();

/** An id for the page made from the alert's id, whatever characters that holds: hex is always a valid HTML id. */
export const alertDomId = (id: string) => `alert-${Buffer.from(id, "utf8").toString("hex")}`;

/** The child as an officer reads the number, with the way to their action card; an odd id is shown as it came. */
function childCell(childId: string): { text: string; html: string } {
  const parsed = parseNhsNumber(childId);
  if (!parsed.ok) return { text: childId, html: escapeHtml(childId) };
  const nhs = formatNhsNumber(parsed.value);
  return {
    text: nhs,
    html: `<a class="govuk-link" href="/action-card/${parsed.value}">NHS number ${escapeHtml(nhs)}<span class="govuk-visually-hidden">: open the child's action card</span></a>`,
  };
}

/** A refused acknowledgement, shown against the alert it was for, with the note as it was typed. */
export interface AcknowledgeError {
  alertId: string;
  message: string;
  note: string;
}

export interface AlertListOptions {
  /** Acknowledged alerts are in the list too (?all=1). */
  showAll: boolean;
  error?: AcknowledgeError;
}

const row = (key: string, value: string) =>
  `<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">${key}</dt><dd class="govuk-summary-list__value">${value}</dd></div>`;

function acknowledgeForm(alert: Alert, title: string, options: AlertListOptions): string {
  const domId = alertDomId(alert.id);
  const noteId = `${domId}-note`;
  const error = options.error?.alertId === alert.id ? options.error : undefined;
  const describedBy = `${noteId}-hint${error ? ` ${noteId}-error` : ""}`;
  return `<form method="post" action="/alerts/${escapeHtml(encodeURIComponent(alert.id))}/acknowledge" novalidate>
${options.showAll ? '<input type="hidden" name="all" value="1">' : ""}
<div class="govuk-form-group${error ? " govuk-form-group--error" : ""}">
<label class="govuk-label" for="${noteId}">Note (optional)<span class="govuk-visually-hidden"> for ${escapeHtml(title)}</span></label>
<div id="${noteId}-hint" class="govuk-hint">What you have done or will do, for the record. Up to ${NOTE_MAX_LENGTH} characters.</div>
${error ? `<p id="${noteId}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${escapeHtml(error.message)}</p>` : ""}
<textarea class="govuk-textarea${error ? " govuk-textarea--error" : ""}" id="${noteId}" name="note" rows="2" aria-describedby="${describedBy}">${escapeHtml(error?.note ?? "")}</textarea>
</div>
<button type="submit" class="govuk-button govuk-!-margin-bottom-0" data-module="govuk-button">Acknowledge<span class="govuk-visually-hidden"> ${escapeHtml(title)}</span></button>
</form>`;
}

function alertCard(alert: Alert, options: AlertListOptions): string {
  const child = childCell(alert.childId);
  const title = `${kindInWords(alert.kind)}: ${child.text}`;
  const acknowledged = alert.acknowledgedAt !== null;
  const tag = acknowledged
    ? `<strong class="govuk-tag govuk-tag--grey">Acknowledged</strong>`
    : `<strong class="govuk-tag govuk-tag--red">To acknowledge</strong>`;
  const rows = [
    row("Child", child.html),
    row("What happened", escapeHtml(alert.summary)),
    row("Why you got this", escapeHtml(alert.reason)),
    row("From", escapeHtml(AGENCY_WORDS[alert.sourceAgency] ?? alert.sourceAgency)),
    row("Raised", `<time datetime="${escapeHtml(alert.raisedAt)}">${escapeHtml(ukTime(alert.raisedAt))}</time>`),
    row(
      "Acknowledged",
      acknowledged
        ? `<time datetime="${escapeHtml(alert.acknowledgedAt)}">${escapeHtml(ukTime(alert.acknowledgedAt!))}</time>${alert.acknowledgedBy ? ` by ${escapeHtml(alert.acknowledgedBy)}` : ""}`
        : "Not yet",
    ),
    ...(alert.escalatedTo.length ? [row("Escalated to", alert.escalatedTo.map(escapeHtml).join(", "))] : []),
  ];
  return `<li class="app-alerts__item" id="${alertDomId(alert.id)}" data-alert-id="${escapeHtml(alert.id)}" data-alert-title="${escapeHtml(title)}">
<div class="govuk-summary-card">
<div class="govuk-summary-card__title-wrapper"><h2 class="govuk-summary-card__title">${escapeHtml(title)}</h2>${tag}</div>
<div class="govuk-summary-card__content">
<dl class="govuk-summary-list">${rows.join("")}</dl>
${acknowledged ? "" : acknowledgeForm(alert, title, options)}
</div>
</div>
</li>`;
}

/** The list of alerts, or what to say when there are none: the part of the page the live stream replaces. */
export function renderAlertList(alerts: Alert[], options: AlertListOptions): string {
  if (alerts.length === 0)
    return options.showAll
      ? `<p class="govuk-body">You have no alerts.</p>`
      : `<p class="govuk-body">You have no alerts to acknowledge. New ones appear here as agencies record them.</p>`;
  const open = alerts.filter((a) => a.acknowledgedAt === null).length;
  const count = options.showAll
    ? `${alerts.length} ${alerts.length === 1 ? "alert" : "alerts"}, ${open} to acknowledge.`
    : `${open} ${open === 1 ? "alert" : "alerts"} to acknowledge.`;
  return `<p class="govuk-body">${count}</p><ul class="govuk-list app-alerts">${alerts.map((a) => alertCard(a, options)).join("")}</ul>`;
}

/** A short fingerprint of a rendered list: the stream sends a list only when it differs from the browser's. */
export const listVersion = (html: string) => createHash("sha256").update(html).digest("base64url").slice(0, 22);

export interface AlertsPage {
  /** null when the list could not be read; `problem` then says why. */
  alerts: Alert[] | null;
  showAll: boolean;
  /** Sentences saying why the list could not be read. */
  problem?: string[];
  /** An alert was acknowledged just now (?acknowledged=…). */
  acknowledged?: boolean;
  error?: AcknowledgeError;
}

/** The page's own address with or without acknowledged alerts. */
export const alertsPath = (showAll: boolean) => (showAll ? "/alerts/?all=1" : "/alerts/");

export function renderAlertsPage(state: AlertsPage): string {
  const { alerts, showAll, error } = state;
  const errorTarget = error && alerts?.some((a) => a.id === error.alertId && a.acknowledgedAt === null);
  const errorSummary = error
    ? `<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2><div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list"><li>${
        errorTarget
          ? `<a href="#${alertDomId(error.alertId)}-note">${escapeHtml(error.message)}</a>`
          : escapeHtml(error.message)
      }</li></ul></div></div></div>`
    : "";
  const banner = state.acknowledged
    ? `<div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="alerts-acknowledged-title" data-module="govuk-notification-banner"><div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="alerts-acknowledged-title">Success</h2></div><div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">Alert acknowledged</p><p class="govuk-body">Your acknowledgement and note are recorded. It stops the alert escalating to the next person.</p></div></div>`
    : "";
  const toggle = showAll
    ? `<a class="govuk-link" href="${alertsPath(false)}">Show only alerts to acknowledge</a>`
    : `<a class="govuk-link" href="${alertsPath(true)}">Show acknowledged alerts too</a>`;
  const problem = state.problem?.length
    ? `<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><div class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>${state.problem.map(escapeHtml).join(" ")}</div></div>`
    : "";
  const list = alerts ? renderAlertList(alerts, { showAll, error }) : "";
  // The stream is told which list the page shows, so it sends one only when the list has changed.
  const stream = alerts
    ? `${showAll ? "/alerts/stream?all=1&" : "/alerts/stream?"}since=${listVersion(renderAlertList(alerts, { showAll }))}`
    : "";
  return `${errorSummary}${banner}<h1 class="govuk-heading-xl">Your alerts</h1>
<p class="govuk-body">News about children you work with, from police, social care and health, as agencies record it. Acknowledge an alert to tell the others you have it in hand; one left unacknowledged goes to the next person in the call order.</p>
<p class="govuk-body">${toggle}</p>
${problem}
<p class="govuk-visually-hidden" aria-live="polite" data-alerts-announcer></p>
<div class="app-alerts__live-status" data-alerts-stream-status hidden></div>
<div data-alerts-list${stream ? ` data-alerts-stream="${escapeHtml(stream)}"` : ""}>${list}</div>`;
}
