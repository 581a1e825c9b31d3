import { createHash, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { summaryChild, summaryLine, summaryTime } from "@safeguarding/kit";
import {
  PROTOCOL_RULES,
  RULE_OWNERS,
  type ProtocolConfigs,
  type ProtocolFlag,
  type ProtocolRule,
} from "@safeguarding/protocol-engine";
import type { AssertionSigner } from "@safeguarding/shared/assertion";
import { appendAudit } from "@safeguarding/shared/audit";
import { recordEvent, type SafeguardingEvent } from "@safeguarding/shared/events";
import type { AccessGrant } from "@safeguarding/shared/identity";
import type { Logger } from "@safeguarding/shared/log";
import { periodic } from "@safeguarding/shared/periodic";
import { askEveryAgency, type AgencyCallContext } from "../agencies.js";
import type { AgencyCode, AgencyEndpoint } from "../config.js";
import { protocolWatchChildren, protocolWatchPassDuration, protocolWatchRaised } from "../metrics.js";
import { evaluateLiveProtocol, fetchLiveRecords, type LiveChildRecord } from "./live.js";

/**
 * The protocol watch (issue 12's PROTOCOL_OVERDUE): a protocol step falls overdue as time passes, not with a write,
 * and its facts are spread over several agencies, so no agency can raise it alone. The gateway, which holds the
 * protocol engine and every area's configuration, checks on a timer:
 *
 * 1. it asks every agency which children have records the protocol may still be counting from (`<prefix>ProtocolWatch`,
 *    an @inaccessible query only the protocol engine may call);
 * 2. it reads those children's protocol facts, a batch at a time, one request per agency per batch (live.ts), and
 *    evaluates the protocol exactly as `child { protocol }` does;
 * 3. for each flag that is OVERDUE or BREACHED and fell due within the look-back, it records a PROTOCOL_OVERDUE event
 *    in the gateway's own outbox, in the same transaction as the row that says it was raised, so each flag in each
 *    status is raised once however often the watch runs, on however many gateways;
 * 4. the gateway's outbox relay carries the event to the alerts service like any agency's (docs/ALERTS.md).
 *
 * The watch reads as the protocol engine for nobody in particular (`via: "watch"`): every agency records each read in
 * its audit trail as PROTOCOL_WATCH, and the gateway records each pass in its own, naming the children it raised an
 * alert about, under the same request id.
 */

const DAY_MS = 86_400_000;

/**
 * Mental-health escalation is raised by health itself, from its own facts, as MENTAL_HEALTH_ESCALATION_DUE to CAMHS
 * and the allocated social worker (subgraphs/health/src/escalation-watch.ts). Raising it here as well would tell the
 * social worker twice about one assessment.
 */
export const WATCHED_RULES: readonly ProtocolRule[] = PROTOCOL_RULES.filter((r) => r !== "MENTAL_HEALTH_ESCALATION");

/** Who the watch is in the agencies' audit trails. */
export const WATCH_USER_ID = "gateway-protocol-watch";

export interface ProtocolWatchTable {
  /** sha256 of child, rule, status and evidence: one row per flag per status. */
  flag_key: string;
  child_id: string;
  rule: string;
  status: string;
  evidence: string;
  due_by: string;
  event_id: string;
  raised_at: string;
}

export interface ProtocolWatchTables {
  protocol_watch_raised: ProtocolWatchTable;
}

export const protocolWatchMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("protocol_watch_raised")
      .addColumn("flag_key", "varchar(64)", (c) => c.primaryKey())
      .addColumn("child_id", "varchar(10)", (c) => c.notNull())
      .addColumn("rule", "varchar(40)", (c) => c.notNull())
      .addColumn("status", "varchar(16)", (c) => c.notNull())
      .addColumn("evidence", "text", (c) => c.notNull())
      .addColumn("due_by", "varchar(32)", (c) => c.notNull())
      .addColumn("event_id", "varchar(36)", (c) => c.notNull())
      .addColumn("raised_at", "varchar(32)", (c) => c.notNull())
      .execute();
  },
};

export interface ProtocolWatchOptions {
  agencies: readonly AgencyEndpoint[];
  timeoutMs: number;
  configs: ProtocolConfigs;
  signer: AssertionSigner;
  /** The gateway's store: its audit trail, its outbox and protocol_watch_raised. */
  db: Kysely<any>;
  /** Flags that fell due longer ago than this are not raised: the watch tells people what has just gone overdue. */
  lookbackDays: number;
  /** Children whose facts are read in one request per agency. */
  batchSize?: number;
  now?: () => Date;
  log: Pick<Logger, "info" | "warn" | "error">;
  /** Called after a pass recorded events, so the outbox relay sends them now rather than at its next look. */
  onRaised?: () => void;
}

export interface WatchPass {
  checkedAt: Date;
  /** The children whose protocol was evaluated. */
  children: string[];
  raised: SafeguardingEvent[];
  /** Agencies that did not answer: the rules reading their facts were not evaluated this pass. */
  unavailable: AgencyCode[];
}

export interface ProtocolWatch {
  /** One pass now (after any in progress). */
  check(): Promise<WatchPass>;
  /** A pass now and then every `intervalMs` after the last one ended; 0 or less does nothing. */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

/**
 * The longest time, in days, between a record and a step falling due, over every area's enabled rules: how far back
 * the agencies must look for records whose steps can fall due within the look-back.
 */
export function longestTimescaleDays(configs: ProtocolConfigs): number {
  let longest = 0;
  for (const area of configs.areas) {
    const rules = configs.forArea(area).rules as unknown as Record<string, Record<string, unknown>>;
    for (const rule of WATCHED_RULES) {
      const settings = rules[rule];
      if (!settings?.enabled) continue;
      for (const [key, value] of Object.entries(settings)) {
        if (typeof value !== "number") continue;
        if (key === "withinDays") longest = Math.max(longest, value);
        if (key === "withinHours" || key === "limitHours") longest = Math.max(longest, value / 24);
      }
    }
  }
  return longest;
}

/** sha256 of what makes a flag the same flag: it is raised once in each status. */
export function flagKey(childId: string, flag: ProtocolFlag): string {
  const evidence = [...flag.evidence].sort().join(",");
  return createHash("sha256").update(`${childId}|${flag.rule}|${flag.status}|${evidence}`).digest("hex");
}

/** Each watched step as a recipient reads it in "… was due by …". */
const STEP_WORDS: Record<ProtocolRule, string> = {
  RETURN_INTERVIEW: "a return home interview",
  STRATEGY_DISCUSSION: "a strategy discussion",
  RISK_MANAGEMENT_MEETING: "a risk-management meeting",
  SENIOR_MANAGER_NOTIFICATION: "telling a children's services senior manager",
  POLICE_PROTECTION_LIMIT: "ending police protection",
  MENTAL_HEALTH_ESCALATION: "escalating the mental-health assessment",
  STRATEGY_MINUTES_SHARING: "sharing the strategy discussion's minutes",
};

/**
 * One line the recipient reads: the child, the step and when it was due. Never the engine's reason, which can say why
 * the step is needed (signs of sexual exploitation, say): an alert's summary carries no CSE or clinical detail.
 */
export function overdueSummary(record: LiveChildRecord, flag: ProtocolFlag, asOf: Date): string {
  const identity = record.identity!;
  const child = summaryChild({
    nhs_number: record.id,
    given_name: identity.givenName,
    family_name: identity.familyName,
  });
  const due = summaryTime(flag.dueBy, asOf);
  // Only police protection's time limit is ever BREACHED (engine.ts); every other step is OVERDUE.
  const what =
    flag.status === "BREACHED"
      ? `police protection went past its time limit at ${due}`
      : `${STEP_WORDS[flag.rule]} was due by ${due} and is not recorded`;
  return summaryLine(`${child}: ${what}. Open the child's record for what the protocol asks.`);
}

const WATCH_QUERY = (agency: AgencyEndpoint) =>
  `query ProtocolWatch($since: DateTime!) { children: ${agency.queryPrefix}ProtocolWatch(since: $since) }`;

export function createProtocolWatch(options: ProtocolWatchOptions): ProtocolWatch {
  const { agencies, timeoutMs, configs, signer, db, lookbackDays, log, onRaised } = options;
  const batchSize = options.batchSize ?? 25;
  const now = options.now ?? (() => new Date());
  const reachBackDays = lookbackDays + longestTimescaleDays(configs);

  /** A context of the watch's own: its grant names no user and acts only as the protocol engine. */
  function watchContext(requestId: string): AgencyCallContext {
    const grant: AccessGrant = {
      identity: {
        userId: WATCH_USER_ID,
        name: "Gateway protocol watch",
        // A grant needs a role; this one is never checked against the policy (a "watch" grant acts as the protocol
        // engine) and audit entries record it as PROTOCOL_WATCH.
        role: "AUDITOR",
        organisation: "Safeguarding Gateway",
        email: null,
      },
      purpose: null,
      requestId,
      facts: {},
      via: "watch",
    };
    return { requestId, unavailableAgencies: new Map(), assertionFor: (audience) => signer.sign(grant, audience) };
  }

  async function raise(record: LiveChildRecord, flag: ProtocolFlag, at: Date): Promise<SafeguardingEvent | null> {
    return db.transaction().execute(async (trx) => {
      const id = randomUUID();
      // The row and the event commit together: a second pass, or a second gateway, inserts nothing and raises nothing.
      const inserted = await (trx as unknown as Kysely<ProtocolWatchTables>)
        .insertInto("protocol_watch_raised")
        .values({
          flag_key: flagKey(record.id, flag),
          child_id: record.id,
          rule: flag.rule,
          status: flag.status,
          evidence: JSON.stringify(flag.evidence),
          due_by: flag.dueBy.toISOString(),
          event_id: id,
          raised_at: at.toISOString(),
        })
        .onConflict((oc) => oc.column("flag_key").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return null;
      return recordEvent(trx, {
        id,
        kind: "PROTOCOL_OVERDUE",
        // The agency whose record closes the flag: the one the recipient chases.
        agency: RULE_OWNERS[flag.rule],
        childId: record.id,
        area: record.area ?? configs.forChild(null).area,
        occurredAt: flag.dueBy.toISOString(),
        recordedAt: at.toISOString(),
        summary: overdueSummary(record, flag, at),
        data: { rule: flag.rule, status: flag.status, dueBy: flag.dueBy.toISOString(), evidence: flag.evidence },
      });
    });
  }

  async function pass(): Promise<WatchPass> {
    const at = now();
    const requestId = `protocol-watch.${randomUUID()}`;
    const context = watchContext(requestId);
    const since = new Date(at.getTime() - reachBackDays * DAY_MS);
    const { answers } = await askEveryAgency<{ children: string[] }>(
      agencies,
      timeoutMs,
      context,
      WATCH_QUERY,
      { since: since.toISOString() },
      "protocol",
    );
    const children = [...new Set(answers.flatMap((a) => a.data.children ?? []))].sort();
    const earliestDue = at.getTime() - lookbackDays * DAY_MS;
    const raised: SafeguardingEvent[] = [];
    const evaluated: string[] = [];
    for (let start = 0; start < children.length; start += batchSize) {
      const records = await fetchLiveRecords(
        agencies,
        timeoutMs,
        context,
        children.slice(start, start + batchSize),
        at,
      );
      for (const record of records) {
        if (!record.identity) continue;
        evaluated.push(record.id);
        const protocol = evaluateLiveProtocol(record, configs, at);
        for (const flag of protocol.flags) {
          if (flag.status === "DUE" || !WATCHED_RULES.includes(flag.rule)) continue;
          if (flag.dueBy.getTime() < earliestDue) continue;
          try {
            const event = await raise(record, flag, at);
            if (event) raised.push(event);
          } catch (error) {
            // Rolled back, so it is tried again next pass; one child's flag must not hold up the others.
            log.error(
              {
                event: "protocol-overdue-failed",
                childId: record.id,
                rule: flag.rule,
                error: (error as Error).message,
              },
              "could not record PROTOCOL_OVERDUE",
            );
          }
        }
      }
    }
    const unavailable = [...context.unavailableAgencies.keys()] as AgencyCode[];
    // Every agency has recorded each read of a child's record in its own trail, under this request id. The gateway's
    // entry names the children the pass raised alerts about: those are what an auditor looking at a child's access
    // log needs to see; a pass that found nothing new for a child would otherwise add an entry to her log every few
    // minutes and bury the reads by people.
    const alerted = [...new Set(raised.map((e) => e.childId))].sort();
    await appendAudit(db, {
      requestId,
      service: "gateway",
      action: "READ",
      operation: "protocolWatch",
      userId: WATCH_USER_ID,
      userName: "Gateway protocol watch",
      role: "PROTOCOL_WATCH",
      organisation: "Safeguarding Gateway",
      purposeCode: null,
      purposeReference: null,
      agreement: null,
      childIds: alerted,
      fieldsReturned: [],
      fieldsDenied: [],
      outcome: unavailable.length > 0 ? "PARTIAL" : "OK",
      detail:
        `checked the protocol for ${evaluated.length} children (each agency's trail records its reads under this ` +
        `request id); raised ${raised.length} PROTOCOL_OVERDUE` +
        (unavailable.length > 0 ? `; not answered by ${unavailable.join(", ")}` : ""),
    });
    if (unavailable.length > 0)
      log.warn({ event: "protocol-watch-partial", unavailable }, "protocol watch: some agencies did not answer");
    if (raised.length > 0) {
      log.info(
        { event: "protocol-overdue", count: raised.length, children: [...new Set(raised.map((e) => e.childId))] },
        "protocol steps overdue",
      );
      onRaised?.();
    }
    return { checkedAt: at, children: evaluated, raised, unavailable };
  }

  async function measuredPass(): Promise<WatchPass> {
    const stop = protocolWatchPassDuration.startTimer();
    try {
      const result = await pass();
      stop({ outcome: result.unavailable.length > 0 ? "partial" : "ok" });
      protocolWatchChildren.set(result.children.length);
      for (const event of result.raised) protocolWatchRaised.inc({ rule: String(event.data.rule) });
      return result;
    } catch (error) {
      stop({ outcome: "failed" });
      throw error;
    }
  }

  const watch = periodic(measuredPass, log, { event: "protocol-watch-failed", message: "protocol watch failed" });
  return { check: watch.runNow, start: watch.start, stop: watch.stop };
}
