import { z } from "zod";
import {
  ACCESS_PURPOSE_CODES,
  ACCESS_PURPOSE_DESCRIPTIONS,
  type AccessPurposeCode,
} from "@safeguarding/shared/identity";
import { escapeHtml } from "./html.ts";

/**
 * The action card's look-up form: the child's NHS number and why the officer needs the card (the gateway's
 * AccessPurposeInput). The same markup is the static /action-card/ page (built by Astro) and the form the server
 * shows again with errors, so the two cannot drift apart. Every value travels in the URL of a GET form, so a card
 * can be bookmarked, printed again and reached again after signing in.
 */

/** Short names for the purposes; the gateway's own descriptions are the hints beneath them. */
export const PURPOSE_LABELS: Record<AccessPurposeCode, string> = {
  MISSING_EPISODE: "Missing episode",
  SAFEGUARDING_ENQUIRY: "Safeguarding enquiry",
  STRATEGY_DISCUSSION: "Strategy discussion",
  CARE_PLANNING: "Care planning",
  HEALTH_ASSESSMENT: "Health assessment",
  EMERGENCY: "Emergency",
};

export type CardField = "nhs" | "purpose" | "reference" | "agreement";

export interface FieldError {
  field: CardField;
  message: string;
}

/** What the officer typed, kept as typed to fill the form again. */
export interface CardFormValues {
  nhs?: string;
  purpose?: string;
  reference?: string;
  agreement?: string;
}

export interface CardPurpose {
  code: AccessPurposeCode;
  reference: string;
  agreement: string | null;
}

const PURPOSE_PARAMS = ["purpose", "reference", "agreement"] as const;

export function formValuesFrom(params: URLSearchParams): CardFormValues {
  const values: CardFormValues = {};
  for (const name of ["nhs", ...PURPOSE_PARAMS] as const) {
    const value = params.get(name);
    if (value !== null) values[name] = value;
  }
  return values;
}

/** True when the URL says nothing about why: a bare card link, which gets the purpose form rather than an error. */
export const purposeMissing = (values: CardFormValues) => PURPOSE_PARAMS.every((name) => values[name] === undefined);

// Presence only: the gateway owns the rules on length and characters, and its refusal is shown against the field.
const PurposeSchema = z.object({
  purpose: z.enum(ACCESS_PURPOSE_CODES, { error: "Choose why you need the card" }),
  reference: z
    .string({ error: "Enter the incident, case or meeting number this look-up is for" })
    .trim()
    .min(1, "Enter the incident, case or meeting number this look-up is for"),
  agreement: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || null),
});

export function parsePurpose(
  values: CardFormValues,
): { ok: true; value: CardPurpose } | { ok: false; errors: FieldError[] } {
  const result = PurposeSchema.safeParse(values);
  if (result.success) {
    const { purpose, reference, agreement } = result.data;
    return { ok: true, value: { code: purpose, reference, agreement } };
  }
  const errors = new Map<CardField, string>();
  for (const issue of result.error.issues) {
    const field = issue.path[0] as CardField;
    if (!errors.has(field)) errors.set(field, issue.message);
  }
  // In the order the fields appear on the page.
  return {
    ok: false,
    errors: PURPOSE_PARAMS.filter((f) => errors.has(f)).map((field) => ({ field, message: errors.get(field)! })),
  };
}

/** The card's own address: the NHS number in the path, the purpose in the query. */
export function cardPath(childId: string, purpose: CardPurpose): string {
  const query = [`purpose=${purpose.code}`, `reference=${encodeURIComponent(purpose.reference)}`];
  if (purpose.agreement) query.push(`agreement=${encodeURIComponent(purpose.agreement)}`);
  return `/action-card/${childId}?${query.join("&")}`;
}

const FIELD_IDS: Record<CardField, string> = {
  nhs: "nhs-number",
  purpose: "purpose",
  reference: "reference",
  agreement: "agreement",
};

const radioId = (code: AccessPurposeCode, index: number) =>
  index === 0 ? FIELD_IDS.purpose : `purpose-${code.toLowerCase().replaceAll("_", "-")}`;

/** GOV.UK error summary: each error links to its field (the first radio for the purpose). */
export function renderErrorSummary(errors: FieldError[]): string {
  if (errors.length === 0) return "";
  const items = errors.map((e) => `<li><a href="#${FIELD_IDS[e.field]}">${escapeHtml(e.message)}</a></li>`).join("");
  return `<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert"><h2 class="govuk-error-summary__title">There is a problem</h2><div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">${items}</ul></div></div></div>`;
}

export interface CardFormOptions {
  /** The child the card is for (10 digits): the form then asks only why, and submits to that card's address. */
  childId?: string;
}

/** The look-up form, with the values given and an inline error against each field at fault. */
export function renderCardForm(values: CardFormValues = {}, errors: FieldError[] = [], options: CardFormOptions = {}) {
  const errorFor = (field: CardField) => errors.find((e) => e.field === field)?.message;
  const groupClass = (field: CardField) => `govuk-form-group${errorFor(field) ? " govuk-form-group--error" : ""}`;
  const errorMessage = (field: CardField) => {
    const message = errorFor(field);
    return message
      ? `<p id="${FIELD_IDS[field]}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${escapeHtml(message)}</p>`
      : "";
  };
  const describedBy = (field: CardField) =>
    `${FIELD_IDS[field]}-hint${errorFor(field) ? ` ${FIELD_IDS[field]}-error` : ""}`;
  const textInput = (field: CardField, widthClass: string) =>
    `<input class="govuk-input ${widthClass}${errorFor(field) ? " govuk-input--error" : ""}" id="${FIELD_IDS[field]}" name="${field}" type="text" spellcheck="false" autocomplete="off"${field === "nhs" ? ' inputmode="numeric"' : ""} value="${escapeHtml(values[field] ?? "")}" aria-describedby="${describedBy(field)}">`;

  const nhs = options.childId
    ? ""
    : `<div class="${groupClass("nhs")}">
    <label class="govuk-label govuk-label--m" for="nhs-number">NHS number</label>
    <div class="govuk-hint" id="nhs-number-hint">10 digits, for example 999 000 0018</div>
    ${errorMessage("nhs")}
    ${textInput("nhs", "govuk-input--width-10")}
  </div>`;

  const radios = ACCESS_PURPOSE_CODES.map((code, index) => {
    const id = radioId(code, index);
    return `<div class="govuk-radios__item">
        <input class="govuk-radios__input" id="${id}" name="purpose" type="radio" value="${code}"${values.purpose === code ? " checked" : ""} aria-describedby="${id}-item-hint">
        <label class="govuk-label govuk-radios__label" for="${id}">${escapeHtml(PURPOSE_LABELS[code])}</label>
        <div id="${id}-item-hint" class="govuk-hint govuk-radios__hint">${escapeHtml(ACCESS_PURPOSE_DESCRIPTIONS[code])}</div>
      </div>`;
  }).join("");

  return `<form action="/action-card/${options.childId ?? ""}" method="get" novalidate>
  ${nhs}
  <div class="${groupClass("purpose")}">
    <fieldset class="govuk-fieldset" aria-describedby="${describedBy("purpose")}">
      <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Why you need the card</legend>
      <div class="govuk-hint" id="purpose-hint">The gateway records your name, this reason and the reference each time the card is opened.</div>
      ${errorMessage("purpose")}
      <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
      ${radios}
      </div>
    </fieldset>
  </div>
  <div class="${groupClass("reference")}">
    <label class="govuk-label govuk-label--s" for="reference">Incident, case or meeting number</label>
    <div class="govuk-hint" id="reference-hint">The number for the reason you chose, for example INC-2026-004512</div>
    ${errorMessage("reference")}
    ${textInput("reference", "govuk-input--width-20")}
  </div>
  <div class="${groupClass("agreement")}">
    <label class="govuk-label govuk-label--s" for="agreement">Data-sharing agreement (optional)</label>
    <div class="govuk-hint" id="agreement-hint">Only if you are relying on one: its name or reference</div>
    ${errorMessage("agreement")}
    ${textInput("agreement", "govuk-input--width-20")}
  </div>
  <button type="submit" class="govuk-button" data-module="govuk-button">Show action card</button>
</form>`;
}
