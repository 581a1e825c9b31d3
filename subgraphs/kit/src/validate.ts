import { parseNhsNumber } from "@safeguarding/shared/nhs-number";
import { badInput } from "./errors.js";

/** The longest free text any field accepts; longer text is refused rather than cut. */
export const MAX_TEXT_LENGTH = 2000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export function requiredText(field: string, value: string | null | undefined, max = MAX_TEXT_LENGTH): string {
  const trimmed = (value ?? "").trim();
  if (!trimmed) throw badInput(`${field} is empty: give a value.`, field);
  if (trimmed.length > max)
    throw badInput(`${field} is ${trimmed.length} characters long; the limit is ${max}. Shorten it.`, field);
  return trimmed;
}

export function optionalText(field: string, value: string | null | undefined, max = MAX_TEXT_LENGTH): string | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  return requiredText(field, value, max);
}

export function textList(field: string, values: readonly string[] | null | undefined, maxItems = 50): string[] {
  const list = values ?? [];
  if (list.length > maxItems) throw badInput(`${field} has ${list.length} entries; the limit is ${maxItems}.`, field);
  return list.map((value, i) => requiredText(`${field}[${i}]`, value));
}

/**
 * An email address the alerts service and the allocated-social-worker check can match a signed-in user on: one "@",
 * a dot in the domain, no spaces. Stored in lower case, as both compare it.
 */
export function optionalEmail(field: string, value: string | null | undefined): string | null {
  const email = optionalText(field, value, 254);
  if (email === null) return null;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw badInput(`${field} (${email}) does not look like an email address: give it as name@example.gov.uk.`, field);
  return email.toLowerCase();
}

/** A time that has happened: not in the future (a few minutes of clock skew are allowed). */
export function notInFuture(field: string, value: Date, now: Date): Date {
  if (Number.isNaN(value.getTime())) throw badInput(`${field} is not a valid date and time.`, field);
  if (value.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw badInput(`${field} (${value.toISOString()}) is in the future: give the time it actually happened.`, field);
  }
  return value;
}

export function notBefore(field: string, value: Date, otherField: string, other: Date): Date {
  if (value.getTime() < other.getTime()) {
    throw badInput(
      `${field} (${value.toISOString()}) is before ${otherField} (${other.toISOString()}): check both times.`,
      field,
    );
  }
  return value;
}

export function isoDate(field: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw badInput(`${field} must be a date written YYYY-MM-DD.`, field);
  }
  return value;
}

/** Validates a child id given to a write (an NHS number, spaces allowed) and returns it as 10 digits. */
export function childIdArgument(value: string, field = "childId"): string {
  const parsed = parseNhsNumber(value);
  if (!parsed.ok) throw badInput(`${field}: ${parsed.reason}`, field);
  return parsed.value;
}
