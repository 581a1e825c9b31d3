import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { ProtocolInputError } from "./errors.js";

/**
 * Per-area thresholds of the missing-from-care protocol. The shipped defaults (gateway/protocol/default.json) are
 * those of a local protocol, not national law; each area may ship its own file. Every file is checked at start-up
 * and a bad one stops the gateway with the file and field named.
 */
const enabled = z.boolean({ error: "must be true or false" });
const hours = z
  .number({ error: "must be a number of hours" })
  .positive("must be more than 0 hours")
  .max(24 * 366, "must be at most a year");
const days = z
  .number({ error: "must be a number of days" })
  .positive("must be more than 0 days")
  .max(366, "must be at most a year");

export const protocolConfigSchema = z.strictObject({
  area: z
    .string({ error: "must be the area's id, e.g. north-avonvale" })
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be lower-case words joined by hyphens, e.g. north-avonvale"),
  description: z.string({ error: "must say whose protocol this is" }).trim().min(1, "must say whose protocol this is"),
  rules: z.strictObject({
    RETURN_INTERVIEW: z.strictObject({ enabled, withinHours: hours }),
    STRATEGY_DISCUSSION: z.strictObject({ enabled, withinHours: hours }),
    RISK_MANAGEMENT_MEETING: z.strictObject({
      enabled,
      episodes: z
        .int({ error: "must be a whole number of episodes" })
        .min(2, "must be at least 2 episodes")
        .max(50, "must be at most 50 episodes"),
      windowDays: days,
      withinDays: days,
    }),
    SENIOR_MANAGER_NOTIFICATION: z.strictObject({ enabled, withinHours: hours }),
    POLICE_PROTECTION_LIMIT: z.strictObject({
      enabled,
      limitHours: hours.max(
        72,
        "must be at most 72 hours: police protection cannot last longer (Children Act 1989 s46(6))",
      ),
    }),
    MENTAL_HEALTH_ESCALATION: z.strictObject({ enabled, withinDays: days }),
    STRATEGY_MINUTES_SHARING: z.strictObject({ enabled, withinHours: hours }),
  }),
});

export type ProtocolConfig = z.infer<typeof protocolConfigSchema>;

export const DEFAULT_AREA = "default";

export class ProtocolConfigError extends Error {}

export interface ProtocolConfigs {
  /** Every configured area, `default` first, then the areas A to Z. */
  readonly areas: readonly string[];
  /** The configuration an evaluation asked for: the default when no area is given; BAD_USER_INPUT for an unknown area. */
  forArea(area: string | null | undefined): ProtocolConfig;
  /** A child's configuration: their area's own file, or the default when the area has none. */
  forChild(area: string | null | undefined): ProtocolConfig;
}

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

/** Reads and checks one configuration file; the error names the file and every field at fault. */
export function parseProtocolConfig(file: string, text: string): ProtocolConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ProtocolConfigError(`${file}: is not valid JSON (${(error as Error).message}).`);
  }
  const result = protocolConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ProtocolConfigError(
      `${file}: ${result.error.issues.map((issue) => describeIssue(raw, issue)).join("; ")}.`,
    );
  }
  const expected = basename(file, ".json");
  if (result.data.area !== expected) {
    throw new ProtocolConfigError(
      `${file}: area: is "${result.data.area}" but the file is named ${expected}.json; make them the same.`,
    );
  }
  return result.data;
}

export function createProtocolConfigs(configs: readonly ProtocolConfig[]): ProtocolConfigs {
  const byArea = new Map(configs.map((c) => [c.area, c]));
  const defaults = byArea.get(DEFAULT_AREA);
  if (!defaults) throw new ProtocolConfigError(`There is no ${DEFAULT_AREA}.json protocol configuration.`);
  const areas = [DEFAULT_AREA, ...[...byArea.keys()].filter((a) => a !== DEFAULT_AREA).sort()];
  return {
    areas,
    forArea(area) {
      const key = area?.trim().toLowerCase();
      if (!key) return defaults;
      const config = byArea.get(key);
      if (!config)
        throw new ProtocolInputError(
          `No protocol configuration is held for the area "${area}". Known areas: ${areas.join(", ")}.`,
          "area",
        );
      return config;
    },
    forChild(area) {
      return (area ? byArea.get(area.trim().toLowerCase()) : undefined) ?? defaults;
    },
  };
}

/** Loads every `*.json` in `dir`; default.json is required. Throws ProtocolConfigError naming the file and field. */
export function loadProtocolConfigs(dir: string): ProtocolConfigs {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((name) => name.endsWith(".json"))
      .sort();
  } catch {
    throw new ProtocolConfigError(`The protocol configuration folder ${dir} cannot be read.`);
  }
  const configs = names.map((name) => {
    const file = join(dir, name);
    return parseProtocolConfig(file, readFileSync(file, "utf8"));
  });
  if (!names.includes(`${DEFAULT_AREA}.json`)) {
    throw new ProtocolConfigError(
      `${join(dir, `${DEFAULT_AREA}.json`)}: is missing; the gateway needs the default protocol configuration.`,
    );
  }
  return createProtocolConfigs(configs);
}
