import { formatNhsNumber } from "@safeguarding/shared/nhs-number";
import type { SubjectTable } from "./subjects.js";

/**
 * How every agency's event summaries (docs/ALERTS.md) name the child and the time, so that an alert reads the same
 * whoever raised it. A summary names the child and what happened, never clinical, CSE or placement detail.
 */

const UK_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

const parts = (date: Date) =>
  Object.fromEntries(UK_TIME.formatToParts(date).map((part) => [part.type, part.value])) as Record<string, string>;

/** "21:40 on 6 Dec" in UK time; the year is added when it is not the year of `asOf`. */
export function summaryTime(date: Date, asOf: Date = new Date()): string {
  const p = parts(date);
  return `${p.hour}:${p.minute} on ${p.day} ${p.month}${p.year === parts(asOf).year ? "" : ` ${p.year}`}`;
}

/** "Amber Whitlock (999 000 0018)". */
export function summaryChild(subject: Pick<SubjectTable, "nhs_number" | "given_name" | "family_name">): string {
  return `${subject.given_name} ${subject.family_name} (${formatNhsNumber(subject.nhs_number)})`;
}

/** parseEvent's limit on a summary (gateway/shared/src/events.ts). */
const SUMMARY_MAX = 300;

/**
 * A summary cut to the event contract's length, so that an unusually long name can never stop the fact itself being
 * recorded (the event is written in the same transaction, and a summary over the limit would refuse both).
 */
export function summaryLine(text: string): string {
  return text.length <= SUMMARY_MAX ? text : `${text.slice(0, SUMMARY_MAX - 1).trimEnd()}…`;
}
