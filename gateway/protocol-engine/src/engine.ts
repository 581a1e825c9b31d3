import { ProtocolInputError } from "./errors.js";
import type { ProtocolConfig } from "./config.js";

/**
 * The missing-from-care protocol engine: which protocol steps are due, by when, and why, for one child's facts at
 * one moment. Pure: no clock, no I/O. Thresholds come from the area's configuration; the shipped defaults are a
 * local protocol's, not national law (see gateway/protocol/default.json).
 */

/** In the order the protocol lists them; flags due at the same moment are sorted in this order. */
export const PROTOCOL_RULES = [
  "RETURN_INTERVIEW",
  "STRATEGY_DISCUSSION",
  "RISK_MANAGEMENT_MEETING",
  "SENIOR_MANAGER_NOTIFICATION",
  "POLICE_PROTECTION_LIMIT",
  "MENTAL_HEALTH_ESCALATION",
  "STRATEGY_MINUTES_SHARING",
] as const;

export type ProtocolRule = (typeof PROTOCOL_RULES)[number];
export type ProtocolFlagStatus = "DUE" | "OVERDUE" | "BREACHED";
export type RiskLevel = "VERY_LOW" | "LOW" | "MEDIUM" | "HIGH";
export type ReturnedTo = "PLACEMENT" | "FAMILY_HOME" | "POLICE_STATION" | "HOSPITAL" | "OTHER";

export interface MissingEpisodeFact {
  id: string;
  reportedAt: Date;
  foundAt?: Date | null;
  riskLevel: RiskLevel;
  cseIndicators: boolean;
  returnedTo?: ReturnedTo | null;
  seniorManagerNotifiedAt?: Date | null;
}

export interface ReturnInterviewFact {
  episodeId: string;
  heldAt: Date;
}

/** Records without an id are named by their place in the list in a flag's evidence, e.g. strategyDiscussions[1]. */
export interface StrategyDiscussionFact {
  id?: string | null;
  heldAt: Date;
  minutesSharedAt?: Date | null;
}

export interface RiskManagementMeetingFact {
  id?: string | null;
  heldAt: Date;
}

export interface PoliceProtectionFact {
  id?: string | null;
  startedAt: Date;
  endedAt?: Date | null;
}

export interface MentalHealthAssessmentFact {
  id?: string | null;
  requestedAt: Date;
  completedAt?: Date | null;
}

export interface ProtocolFacts {
  asOf: Date;
  /** Context for the reader; no default rule depends on it. */
  legalStatusCode?: string | null;
  onChildProtectionPlan?: boolean | null;
  missingEpisodes: MissingEpisodeFact[];
  returnInterviews: ReturnInterviewFact[];
  strategyDiscussions: StrategyDiscussionFact[];
  riskManagementMeetings: RiskManagementMeetingFact[];
  policeProtection: PoliceProtectionFact[];
  mentalHealthAssessments: MentalHealthAssessmentFact[];
}

export type FactCollection = Exclude<keyof ProtocolFacts, "asOf" | "legalStatusCode" | "onChildProtectionPlan">;

export interface ProtocolFlag {
  rule: ProtocolRule;
  status: ProtocolFlagStatus;
  dueBy: Date;
  /** One plain sentence a duty manager can act on. */
  reason: string;
  /** Ids of the records the flag is about. */
  evidence: string[];
}

/** A fact that contradicts itself or another fact: `field` is its path, e.g. facts.missingEpisodes[2].foundAt. */
export interface FactProblem {
  collection: FactCollection;
  index: number;
  field: string;
  message: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const iso = (date: Date) => date.toISOString();
const isValid = (date: Date | null | undefined): date is Date => date instanceof Date && !Number.isNaN(date.getTime());

/** Every contradiction in the facts, in the order the fields appear. Empty when the facts hang together. */
export function findInconsistencies(facts: ProtocolFacts): FactProblem[] {
  const problems: FactProblem[] = [];
  const problem = (collection: FactCollection, index: number, key: string, message: string) =>
    problems.push({ collection, index, field: `facts.${collection}[${index}].${key}`, message });
  const dates = <T>(collection: FactCollection, list: readonly T[], keys: (keyof T & string)[]) =>
    list.forEach((item, index) => {
      for (const key of keys) {
        const value = item[key] as unknown;
        if (value !== null && value !== undefined && !isValid(value as Date)) {
          problem(collection, index, key, `facts.${collection}[${index}].${key} is not a valid date and time.`);
        }
      }
    });

  dates("missingEpisodes", facts.missingEpisodes, ["reportedAt", "foundAt", "seniorManagerNotifiedAt"]);
  dates("returnInterviews", facts.returnInterviews, ["heldAt"]);
  dates("strategyDiscussions", facts.strategyDiscussions, ["heldAt", "minutesSharedAt"]);
  dates("riskManagementMeetings", facts.riskManagementMeetings, ["heldAt"]);
  dates("policeProtection", facts.policeProtection, ["startedAt", "endedAt"]);
  dates("mentalHealthAssessments", facts.mentalHealthAssessments, ["requestedAt", "completedAt"]);
  if (problems.length > 0) return problems;

  const episodes = new Map<string, MissingEpisodeFact>();
  facts.missingEpisodes.forEach((episode, i) => {
    const id = episode.id.trim();
    if (!id) problem("missingEpisodes", i, "id", `facts.missingEpisodes[${i}].id is empty: give each episode its id.`);
    else if (episodes.has(id))
      problem("missingEpisodes", i, "id", `Two missing episodes have the id ${id}: give each episode its own id.`);
    else episodes.set(id, episode);
    if (episode.foundAt && episode.foundAt < episode.reportedAt) {
      problem(
        "missingEpisodes",
        i,
        "foundAt",
        `Missing episode ${id} was found (${iso(episode.foundAt)}) before it was reported (${iso(episode.reportedAt)}): check both times.`,
      );
    }
    if (episode.returnedTo && !episode.foundAt) {
      problem(
        "missingEpisodes",
        i,
        "returnedTo",
        `Missing episode ${id} says where the child was taken but has no foundAt: give the time the child was found.`,
      );
    }
    if (episode.seniorManagerNotifiedAt) {
      if (!episode.foundAt) {
        problem(
          "missingEpisodes",
          i,
          "seniorManagerNotifiedAt",
          `Missing episode ${id} records a senior-manager notification but has no foundAt: give the time the child was found.`,
        );
      } else if (episode.seniorManagerNotifiedAt < episode.foundAt) {
        problem(
          "missingEpisodes",
          i,
          "seniorManagerNotifiedAt",
          `The senior manager was told about missing episode ${id} (${iso(episode.seniorManagerNotifiedAt)}) before the child was found (${iso(episode.foundAt)}): check both times.`,
        );
      }
    }
  });
  facts.returnInterviews.forEach((interview, i) => {
    const episode = episodes.get(interview.episodeId.trim());
    if (!episode) {
      const known = [...episodes.keys()];
      problem(
        "returnInterviews",
        i,
        "episodeId",
        `Return interview ${i + 1} is for missing episode "${interview.episodeId}", which is not among the missing episodes given (${known.length ? known.join(", ") : "none"}).`,
      );
      return;
    }
    const from = episode.foundAt ?? episode.reportedAt;
    if (interview.heldAt < from) {
      problem(
        "returnInterviews",
        i,
        "heldAt",
        `The return interview for missing episode ${episode.id} (${iso(interview.heldAt)}) is before the child was ${episode.foundAt ? "found" : "reported missing"} (${iso(from)}): check both times.`,
      );
    }
  });
  facts.strategyDiscussions.forEach((discussion, i) => {
    if (discussion.minutesSharedAt && discussion.minutesSharedAt < discussion.heldAt) {
      problem(
        "strategyDiscussions",
        i,
        "minutesSharedAt",
        `The minutes of strategy discussion ${discussion.id ?? i + 1} were shared (${iso(discussion.minutesSharedAt)}) before it was held (${iso(discussion.heldAt)}): check both times.`,
      );
    }
  });
  facts.policeProtection.forEach((period, i) => {
    if (period.endedAt && period.endedAt < period.startedAt) {
      problem(
        "policeProtection",
        i,
        "endedAt",
        `Police protection ${period.id ?? i + 1} ended (${iso(period.endedAt)}) before it started (${iso(period.startedAt)}): check both times.`,
      );
    }
  });
  facts.mentalHealthAssessments.forEach((assessment, i) => {
    if (assessment.completedAt && assessment.completedAt < assessment.requestedAt) {
      problem(
        "mentalHealthAssessments",
        i,
        "completedAt",
        `Mental-health assessment ${assessment.id ?? i + 1} was completed (${iso(assessment.completedAt)}) before it was requested (${iso(assessment.requestedAt)}): check both times.`,
      );
    }
  });
  return problems;
}

const TIME_ZONE = "Europe/London";
const FORMAT = new Intl.DateTimeFormat("en-GB", {
  timeZone: TIME_ZONE,
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "3 Nov 14:20" in UK time; the year is added when it is not the year of `asOf`. */
export function readableTime(date: Date, asOf: Date): string {
  const part = (d: Date) => Object.fromEntries(FORMAT.formatToParts(d).map((p) => [p.type, p.value]));
  const p = part(date);
  const sameYear = p.year === part(asOf).year;
  return `${p.day} ${p.month}${sameYear ? "" : ` ${p.year}`} ${p.hour}:${p.minute}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface EvaluateOptions {
  /** Evaluate only these rules (used when an agency's facts are missing); every enabled rule when omitted. */
  rules?: ReadonlySet<ProtocolRule>;
}

/** Evaluates every enabled rule; inconsistent facts are refused with a ProtocolInputError naming the field. */
export function evaluateProtocol(
  facts: ProtocolFacts,
  config: ProtocolConfig,
  options: EvaluateOptions = {},
): ProtocolFlag[] {
  const [problem] = findInconsistencies(facts);
  if (problem) throw new ProtocolInputError(problem.message, problem.field);

  const { asOf } = facts;
  const rules = config.rules;
  const on = (rule: ProtocolRule) => rules[rule].enabled && (!options.rules || options.rules.has(rule));
  const when = (date: Date) => readableTime(date, asOf);
  const after = (date: Date, ms: number) => new Date(date.getTime() + ms);
  const dueOrOverdue = (dueBy: Date): ProtocolFlagStatus => (asOf.getTime() <= dueBy.getTime() ? "DUE" : "OVERDUE");
  const flags: ProtocolFlag[] = [];
  const flag = (
    rule: ProtocolRule,
    dueBy: Date,
    evidence: string[],
    reason: (status: ProtocolFlagStatus) => string,
    status = dueOrOverdue(dueBy),
  ) => flags.push({ rule, status, dueBy, reason: reason(status), evidence });
  const idOf = (collection: FactCollection, item: { id?: string | null }, index: number) =>
    item.id?.trim() || `${collection}[${index}]`;
  const episodes = [...facts.missingEpisodes].sort(
    (a, b) => a.reportedAt.getTime() - b.reportedAt.getTime() || a.id.localeCompare(b.id),
  );

  if (on("RETURN_INTERVIEW")) {
    const interviewed = new Set(facts.returnInterviews.map((r) => r.episodeId.trim()));
    for (const episode of episodes) {
      if (!episode.foundAt || interviewed.has(episode.id.trim())) continue;
      const dueBy = after(episode.foundAt, rules.RETURN_INTERVIEW.withinHours * HOUR_MS);
      const which = `the episode reported ${when(episode.reportedAt)} (found ${when(episode.foundAt)})`;
      flag("RETURN_INTERVIEW", dueBy, [episode.id], (status) =>
        status === "DUE"
          ? `Hold a return home interview for ${which} by ${when(dueBy)}.`
          : `Return home interview for ${which} was due by ${when(dueBy)} and has not been recorded.`,
      );
    }
  }

  if (on("STRATEGY_DISCUSSION")) {
    for (const episode of episodes) {
      const high = episode.riskLevel === "HIGH";
      if (!episode.cseIndicators && !high) continue;
      if (facts.strategyDiscussions.some((d) => d.heldAt.getTime() >= episode.reportedAt.getTime())) continue;
      const dueBy = after(episode.reportedAt, rules.STRATEGY_DISCUSSION.withinHours * HOUR_MS);
      const why = [
        high ? "was high risk" : null,
        episode.cseIndicators ? "showed signs of child sexual exploitation" : null,
      ]
        .filter(Boolean)
        .join(" and ");
      flag("STRATEGY_DISCUSSION", dueBy, [episode.id], (status) =>
        status === "DUE"
          ? `Hold a strategy discussion by ${when(dueBy)}: the missing episode reported ${when(episode.reportedAt)} ${why}, and none has been held since.`
          : `Strategy discussion for the missing episode reported ${when(episode.reportedAt)}, which ${why}, was due by ${when(dueBy)} and none has been held since.`,
      );
    }
  }

  if (on("RISK_MANAGEMENT_MEETING")) {
    const { episodes: threshold, windowDays, withinDays } = rules.RISK_MANAGEMENT_MEETING;
    const meetings = facts.riskManagementMeetings.map((m) => m.heldAt.getTime()).sort((a, b) => a - b);
    for (const trigger of episodes) {
      const t = trigger.reportedAt.getTime();
      // The count starts again after the most recent meeting held before T.
      const lastMeeting = meetings.filter((m) => m < t).at(-1);
      const window = episodes.filter((e) => {
        const at = e.reportedAt.getTime();
        return at >= t - windowDays * DAY_MS && at <= t && (lastMeeting === undefined || at > lastMeeting);
      });
      if (window.length < threshold) continue;
      if (meetings.some((m) => m >= t)) continue;
      const dueBy = after(trigger.reportedAt, withinDays * DAY_MS);
      const span = `${plural(window.length, "missing episode")} were reported between ${when(window[0].reportedAt)} and ${when(trigger.reportedAt)} (within ${plural(windowDays, "day")})`;
      flag(
        "RISK_MANAGEMENT_MEETING",
        dueBy,
        window.map((e) => e.id),
        (status) =>
          status === "DUE"
            ? `Hold a risk-management meeting by ${when(dueBy)}: ${span} and none has been held since.`
            : `Risk-management meeting was due by ${when(dueBy)} because ${span}, and none has been held since.`,
      );
      break; // One flag, for the earliest unsatisfied trigger.
    }
  }

  if (on("SENIOR_MANAGER_NOTIFICATION")) {
    for (const episode of episodes) {
      if (episode.returnedTo !== "POLICE_STATION" || episode.seniorManagerNotifiedAt || !episode.foundAt) continue;
      const dueBy = after(episode.foundAt, rules.SENIOR_MANAGER_NOTIFICATION.withinHours * HOUR_MS);
      const what = `the child was taken to a police station when found ${when(episode.foundAt)} (episode reported ${when(episode.reportedAt)})`;
      flag("SENIOR_MANAGER_NOTIFICATION", dueBy, [episode.id], (status) =>
        status === "DUE"
          ? `Tell a children's services senior manager by ${when(dueBy)}: ${what}.`
          : `No children's services senior manager is recorded as told that ${what}; that was due by ${when(dueBy)}.`,
      );
    }
  }

  if (on("POLICE_PROTECTION_LIMIT")) {
    const limit = rules.POLICE_PROTECTION_LIMIT.limitHours;
    facts.policeProtection.forEach((period, index) => {
      const dueBy = after(period.startedAt, limit * HOUR_MS);
      const end = period.endedAt ?? asOf;
      const evidence = [idOf("policeProtection", period, index)];
      if (end.getTime() - period.startedAt.getTime() > limit * HOUR_MS) {
        flag(
          "POLICE_PROTECTION_LIMIT",
          dueBy,
          evidence,
          () =>
            period.endedAt
              ? `Police protection from ${when(period.startedAt)} to ${when(period.endedAt)} went past its ${limit}-hour limit, which ended ${when(dueBy)}.`
              : `Police protection that started ${when(period.startedAt)} is still open past its ${limit}-hour limit (${when(dueBy)}): end it now or record when it ended.`,
          "BREACHED",
        );
      } else if (!period.endedAt) {
        flag(
          "POLICE_PROTECTION_LIMIT",
          dueBy,
          evidence,
          () =>
            `Police protection that started ${when(period.startedAt)} must end by ${when(dueBy)} (${limit}-hour limit): agree with children's services where the child goes before then.`,
          "DUE",
        );
      }
    });
  }

  if (on("MENTAL_HEALTH_ESCALATION")) {
    facts.mentalHealthAssessments.forEach((assessment, index) => {
      if (assessment.completedAt) return;
      const dueBy = after(assessment.requestedAt, rules.MENTAL_HEALTH_ESCALATION.withinDays * DAY_MS);
      flag("MENTAL_HEALTH_ESCALATION", dueBy, [idOf("mentalHealthAssessments", assessment, index)], (status) =>
        status === "DUE"
          ? `The mental-health assessment requested ${when(assessment.requestedAt)} should be done by ${when(dueBy)}; if it is not, escalate along the health escalation route.`
          : `Mental-health assessment requested ${when(assessment.requestedAt)} was due by ${when(dueBy)} and has not been completed: escalate along the health escalation route.`,
      );
    });
  }

  if (on("STRATEGY_MINUTES_SHARING")) {
    facts.strategyDiscussions.forEach((discussion, index) => {
      if (discussion.minutesSharedAt) return;
      const dueBy = after(discussion.heldAt, rules.STRATEGY_MINUTES_SHARING.withinHours * HOUR_MS);
      flag("STRATEGY_MINUTES_SHARING", dueBy, [idOf("strategyDiscussions", discussion, index)], (status) =>
        status === "DUE"
          ? `Share the minutes of the strategy discussion held ${when(discussion.heldAt)} with every agency present by ${when(dueBy)}.`
          : `Minutes of the strategy discussion held ${when(discussion.heldAt)} were due to be shared by ${when(dueBy)} and have not been.`,
      );
    });
  }

  return flags.sort(
    (a, b) =>
      a.dueBy.getTime() - b.dueBy.getTime() ||
      PROTOCOL_RULES.indexOf(a.rule) - PROTOCOL_RULES.indexOf(b.rule) ||
      a.evidence.join(",").localeCompare(b.evidence.join(",")),
  );
}

/** The facts each rule reads, by agency: a rule is evaluated only when every agency it reads from answered. */
export const RULE_AGENCIES: Record<ProtocolRule, readonly ("POLICE" | "SOCIAL_CARE" | "HEALTH")[]> = {
  RETURN_INTERVIEW: ["POLICE", "SOCIAL_CARE"],
  STRATEGY_DISCUSSION: ["POLICE", "SOCIAL_CARE"],
  RISK_MANAGEMENT_MEETING: ["POLICE", "SOCIAL_CARE"],
  SENIOR_MANAGER_NOTIFICATION: ["POLICE"],
  POLICE_PROTECTION_LIMIT: ["POLICE"],
  MENTAL_HEALTH_ESCALATION: ["HEALTH"],
  STRATEGY_MINUTES_SHARING: ["SOCIAL_CARE"],
};

/** The agency whose record closes each rule's flag: the one to chase, and the one an overdue flag's alert names. */
export const RULE_OWNERS: Record<ProtocolRule, "POLICE" | "SOCIAL_CARE" | "HEALTH"> = {
  RETURN_INTERVIEW: "SOCIAL_CARE",
  STRATEGY_DISCUSSION: "SOCIAL_CARE",
  RISK_MANAGEMENT_MEETING: "SOCIAL_CARE",
  SENIOR_MANAGER_NOTIFICATION: "POLICE",
  POLICE_PROTECTION_LIMIT: "POLICE",
  MENTAL_HEALTH_ESCALATION: "HEALTH",
  STRATEGY_MINUTES_SHARING: "SOCIAL_CARE",
};

/** Each rule's step in a few words, as the action card and alerts name it. */
export const RULE_NAMES: Record<ProtocolRule, string> = {
  RETURN_INTERVIEW: "Return home interview",
  STRATEGY_DISCUSSION: "Strategy discussion",
  RISK_MANAGEMENT_MEETING: "Risk-management meeting",
  SENIOR_MANAGER_NOTIFICATION: "Senior manager told",
  POLICE_PROTECTION_LIMIT: "Police protection limit",
  MENTAL_HEALTH_ESCALATION: "Mental-health assessment",
  STRATEGY_MINUTES_SHARING: "Strategy minutes shared",
};
