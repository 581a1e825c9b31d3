import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ALERT_KINDS, type AlertKind, type EventPerson } from "@safeguarding/shared/events";

/**
 * Who is told in each area, and when office hours are: one file per area in gateway/protocol/alerts (named after the
 * area the agencies record, plus default.json), checked at start-up like the protocol's per-area files. A bad file
 * stops the alerts service with the file and field named.
 */
export const ALERTS_CONFIG_DIR = fileURLToPath(new URL("../../../gateway/protocol/alerts/", import.meta.url));
export const DEFAULT_AREA = "default";

const person = z.strictObject({
  name: z.string({ error: "must be the person's or team's name" }).trim().min(1, "must not be empty"),
  email: z
    .email({ error: "must be an email address: alerts reach a person by the email they sign in with" })
    .transform((email) => email.toLowerCase()),
});
const people = z.array(person, { error: "must be a list of { name, email }" });
const instant = z.iso.datetime({ error: "must be an ISO 8601 UTC instant, e.g. 2026-12-04T17:00:00Z" });
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day HH:MM, e.g. 09:00");

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const CALL_ORDER_STEPS = ["ON_CALL_MANAGER", "SENIOR_MANAGER"] as const;
export type CallOrderStep = (typeof CALL_ORDER_STEPS)[number];

export const alertAreaConfigSchema = z.strictObject({
  area: z
    .string({ error: "must be the area's id, e.g. north-avonvale" })
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lower-case words joined by hyphens, e.g. north-avonvale"),
  description: z.string({ error: "must say whose arrangements these are" }).trim().min(1, "must not be empty"),
  timeZone: z
    .string({ error: "must be an IANA time zone, e.g. Europe/London" })
    .refine(validTimeZone, "must be an IANA time zone this machine knows, e.g. Europe/London"),
  officeHours: z
    .strictObject({
      days: z
        .array(z.int().min(1, "must be 1 (Monday) to 7 (Sunday)").max(7, "must be 1 (Monday) to 7 (Sunday)"), {
          error: "must be a list of ISO weekday numbers, 1 (Monday) to 7 (Sunday)",
        })
        .min(1, "must name at least one weekday"),
      start: clock,
      end: clock,
      bankHolidays: z.array(z.iso.date({ error: "must be a date YYYY-MM-DD" }), {
        error: "must be a list of dates YYYY-MM-DD",
      }),
    })
    .refine((hours) => hours.start < hours.end, { message: "start must be before end", path: ["end"] }),
  people: z.strictObject({
    edt: people.min(1, "must name the Emergency Duty Team: out-of-hours alerts go to it"),
    controlRoom: people.min(1, "must name the police control room"),
    policeSafeguarding: people.min(1, "must name the police safeguarding team"),
    camhs: people.min(1, "must name CAMHS"),
    dutyTeam: people.min(1, "must name the duty team: it is told when a child has no known social worker"),
    onCallRota: z.array(
      z
        .strictObject({ from: instant, to: instant, manager: person })
        .refine((entry) => entry.from < entry.to, { message: "from must be before to", path: ["to"] }),
      { error: "must be a list of { from, to, manager }" },
    ),
    onCallManager: person,
    seniorManager: person,
  }),
  escalation: z.strictObject({
    afterMinutes: z.strictObject(
      Object.fromEntries(
        ALERT_KINDS.map((kind) => [
          kind,
          z
            .int({ error: "must be a whole number of minutes, or null for no escalation" })
            .min(1, "must be at least 1 minute")
            .max(24 * 60, "must be at most a day")
            .nullable(),
        ]),
      ) as Record<AlertKind, z.ZodNullable<z.ZodInt>>,
    ),
    callOrder: z
      .array(z.enum(CALL_ORDER_STEPS, { error: `must be one of ${CALL_ORDER_STEPS.join(", ")}` }))
      .min(1, "must name at least one step"),
  }),
});

export type AlertAreaConfig = z.infer<typeof alertAreaConfigSchema>;

export class AlertsConfigError extends Error {}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path)
    value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
    .join(".")
    .replace(/\.\[/g, "[");
  if (issue.code === "unrecognized_keys") {
    const where = path ? `${path}: ` : "";
    return `${where}unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}: check the spelling against default.json`;
  }
  if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined)
    return `${path || "(top level)"}: is missing`;
  return `${path || "(top level)"}: ${issue.message}`;
}

/** Reads and checks one area's file; the error names the file and every field at fault. */
export function parseAlertAreaConfig(file: string, text: string): AlertAreaConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AlertsConfigError(`${file}: is not valid JSON (${(error as Error).message}).`);
  }
  const result = alertAreaConfigSchema.safeParse(raw);
  if (!result.success)
    throw new AlertsConfigError(
      `${file}: ${result.error.issues.map((issue) => describeIssue(raw, issue)).join("; ")}.`,
    );
  const expected = basename(file, ".json");
  if (result.data.area !== expected)
    throw new AlertsConfigError(
      `${file}: area: is "${result.data.area}" but the file is named ${expected}.json; make them the same.`,
    );
  return result.data;
}

export interface AlertConfigs {
  readonly areas: readonly string[];
  /** The area's own file, or the default when it has none (an agency may record an area nobody configured yet). */
  forArea(area: string): AlertAreaConfig;
}

export function createAlertConfigs(configs: readonly AlertAreaConfig[]): AlertConfigs {
  const byArea = new Map(configs.map((c) => [c.area, c]));
  const defaults = byArea.get(DEFAULT_AREA);
  if (!defaults) throw new AlertsConfigError(`There is no ${DEFAULT_AREA}.json alerts configuration.`);
  return {
    areas: [DEFAULT_AREA, ...[...byArea.keys()].filter((a) => a !== DEFAULT_AREA).sort()],
    forArea: (area) => byArea.get(area.trim().toLowerCase()) ?? defaults,
  };
}

/** Loads every `*.json` in `dir` (default.json required); throws AlertsConfigError naming the file and field. */
export function loadAlertConfigs(dir: string = process.env.ALERTS_CONFIG_DIR || ALERTS_CONFIG_DIR): AlertConfigs {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith(".json"))
      .sort();
  } catch {
    throw new AlertsConfigError(`The alerts configuration folder ${dir} cannot be read.`);
  }
  if (!names.includes(`${DEFAULT_AREA}.json`))
    throw new AlertsConfigError(`${join(dir, `${DEFAULT_AREA}.json`)}: is missing; the alerts service needs it.`);
  return createAlertConfigs(
    names.map((name) => parseAlertAreaConfig(join(dir, name), readFileSync(join(dir, name), "utf8"))),
  );
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The wall clock in the area's zone at an instant: ISO weekday, date and HH:MM (Intl knows BST from GMT). */
export function localTime(instant: Date, timeZone: string): { weekday: number; date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return {
    weekday: WEEKDAYS[parts.weekday],
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
  };
}

/** Outside office hours in the area's own zone: an evening, a weekend or a bank holiday. */
export function isOutOfHours(config: AlertAreaConfig, instant: Date): boolean {
  const { weekday, date, time } = localTime(instant, config.timeZone);
  const hours = config.officeHours;
  if (!hours.days.includes(weekday) || hours.bankHolidays.includes(date)) return true;
  return time < hours.start || time >= hours.end;
}

/** The manager on call at an instant: the rota entry covering it, else the area's standing on-call manager. */
export function rotaOnCallManager(config: AlertAreaConfig, instant: Date): EventPerson {
  const at = instant.getTime();
  const entry = config.people.onCallRota.find((e) => Date.parse(e.from) <= at && at < Date.parse(e.to));
  return entry?.manager ?? config.people.onCallManager;
}
