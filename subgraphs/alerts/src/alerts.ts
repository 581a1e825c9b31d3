import { randomUUID } from "node:crypto";
import { GraphQLError } from "graphql";
import type { Kysely, Selectable } from "kysely";
import { appendAudit } from "@safeguarding/shared/audit";
import { isAlertKind, type AlertKind, type CareTeamData, type SafeguardingEvent } from "@safeguarding/shared/events";
import { auditedCaller, auditWrite, localActor, type WriteActor } from "@safeguarding/shared/request-audit";
import type { AlertConfigs } from "./config.js";
import { callOrderPerson, recipientsFor, REASONS, storedSummary } from "./recipients.js";
import type { AlertsDatabase, AlertTable, CareTeamTable } from "./store.js";

export const SERVICE = "alerts";
export const MAX_NOTE_LENGTH = 500;
export const MAX_FIRST = 200;
/** How many of a child's unacknowledged events the record and the action card list. */
export const CHILD_ALERTS_LIMIT = 20;

export type AlertRow = Selectable<AlertTable>;

/** An alert as a recipient reads it. */
export interface AlertView {
  id: string;
  kind: AlertKind;
  childId: string;
  raisedAt: Date;
  summary: string;
  reason: string;
  sourceAgency: string;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  escalatedTo: string[];
}

/**
 * One event about a child that nobody it went to has acknowledged, as anyone working the child's case reads it: who
 * was told, not which of them is the caller.
 */
export interface ChildAlertView {
  kind: AlertKind;
  raisedAt: Date;
  summary: string;
  sourceAgency: string;
  sentTo: { name: string; reason: string }[];
  escalatedTo: string[];
}

export interface AlertsServiceOptions {
  configs: AlertConfigs;
  /** The clock every decision reads (office hours, deadlines); tests move it. */
  now?: () => Date;
  /** Called after a commit with the alerts it raised (the email notifier); never awaited. */
  onRaised?: (alerts: AlertRow[]) => void;
  /** Email is configured: each alert is stored with the email owed for it (email_deliveries), in one transaction. */
  email?: boolean;
}

const system = localActor(SERVICE);

function systemEntry(requestId: string, operation: string, childId: string, after: unknown) {
  return {
    requestId,
    service: SERVICE,
    action: "WRITE" as const,
    operation,
    ...auditedCaller(system.grant),
    childIds: [childId],
    fieldsReturned: [],
    fieldsDenied: [],
    outcome: "OK" as const,
    after,
  };
}

function careTeamOf(row: Selectable<CareTeamTable> | undefined): CareTeamData | null {
  if (!row) return null;
  return {
    socialWorker:
      row.social_worker_email && row.social_worker_name
        ? { name: row.social_worker_name, email: row.social_worker_email }
        : null,
    onCallManager:
      row.on_call_manager_email && row.on_call_manager_name
        ? { name: row.on_call_manager_name, email: row.on_call_manager_email }
        : null,
  };
}

const addMinutes = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000).toISOString();

export function forbidden(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN", field } });
}

function badInput(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", field } });
}

/**
 * The one place alerts are raised, escalated, read and acknowledged: the /events endpoint, the NATS consumer, the
 * escalation timer and the GraphQL resolvers all call this, never the store.
 */
export function createAlertsService(db: Kysely<AlertsDatabase>, options: AlertsServiceOptions) {
  const now = options.now ?? (() => new Date());
  const notify = (alerts: AlertRow[]) => {
    if (alerts.length > 0) options.onRaised?.(alerts);
  };

  async function careTeam(trx: Kysely<AlertsDatabase>, childId: string): Promise<CareTeamData | null> {
    return careTeamOf(
      await trx.selectFrom("care_teams").selectAll().where("child_id", "=", childId).executeTakeFirst(),
    );
  }

  async function rememberCareTeam(trx: Kysely<AlertsDatabase>, event: SafeguardingEvent, at: Date): Promise<void> {
    const data = event.data as unknown as CareTeamData;
    // Normalised, so that instants compare as text in both stores.
    const occurredAt = new Date(event.occurredAt).toISOString();
    const row = {
      child_id: event.childId,
      social_worker_name: data.socialWorker?.name ?? null,
      social_worker_email: data.socialWorker?.email ?? null,
      on_call_manager_name: data.onCallManager?.name ?? null,
      on_call_manager_email: data.onCallManager?.email ?? null,
      event_id: event.id,
      occurred_at: occurredAt,
      updated_at: at.toISOString(),
    };
    // Events can arrive out of order (two relays, a retry): only a change that happened later replaces the one held.
    const { child_id: _key, ...update } = row;
    await trx
      .insertInto("care_teams")
      .values(row)
      .onConflict((oc) => oc.column("child_id").doUpdateSet(update).where("care_teams.occurred_at", "<", occurredAt))
      .execute();
  }

  /** Stores one alert and its audit entry ("raised" or "escalated"), in the caller's transaction. */
  async function store(trx: Kysely<AlertsDatabase>, alert: AlertRow, step: "raised" | "escalated"): Promise<AlertRow> {
    await trx.insertInto("alerts").values(alert).execute();
    if (options.email)
      await trx
        .insertInto("email_deliveries")
        .values({
          alert_id: alert.id,
          state: "WAITING",
          attempts: 0,
          next_at: alert.raised_at,
          last_error: null,
          sent_at: null,
        })
        .execute();
    await appendAudit(
      trx,
      systemEntry(alert.event_id, step, alert.child_id, {
        alertId: alert.id,
        kind: alert.kind,
        recipient: alert.recipient_email,
        reason: alert.reason,
        ...(step === "escalated" ? { level: alert.escalation_level } : {}),
      }),
    );
    return alert;
  }

  /**
   * Whoever holds the case now must know what is still open: a social worker allocated while alerts about the child
   * wait unacknowledged (told to the duty team because none was known, or to the worker before) is told of each of
   * those events too. Their alert keeps no deadline of its own, so the event escalates when it would have.
   */
  async function tellAllocatedWorker(trx: Kysely<AlertsDatabase>, childId: string, at: Date): Promise<AlertRow[]> {
    const worker = (await careTeam(trx, childId))?.socialWorker;
    if (!worker) return [];
    const email = worker.email.toLowerCase();
    const alerts = await trx
      .selectFrom("alerts")
      .selectAll()
      .where("child_id", "=", childId)
      .orderBy("raised_at")
      .orderBy("id")
      .execute();
    const byEvent = new Map<string, AlertRow[]>();
    for (const alert of alerts) byEvent.set(alert.event_id, [...(byEvent.get(alert.event_id) ?? []), alert]);
    const told: AlertRow[] = [];
    for (const ofEvent of byEvent.values()) {
      const caseHolders = ofEvent.filter((a) => a.reason === REASONS.dutyTeam || a.reason === REASONS.socialWorker);
      if (caseHolders.length === 0) continue;
      if (ofEvent.some((a) => a.acknowledged_at !== null || a.recipient_email === email)) continue;
      const alert: AlertRow = {
        ...caseHolders[0],
        id: randomUUID(),
        reason: REASONS.allocatedSince,
        recipient_name: worker.name,
        recipient_email: email,
        raised_at: at.toISOString(),
        escalate_at: null,
        escalation_level: 0,
        acknowledged_at: null,
        acknowledged_by: null,
        acknowledge_note: null,
      };
      told.push(await store(trx, alert, "raised"));
    }
    return told;
  }

  async function raise(trx: Kysely<AlertsDatabase>, event: SafeguardingEvent & { kind: AlertKind }, at: Date) {
    const config = options.configs.forArea(event.area);
    const minutes = config.escalation.afterMinutes[event.kind];
    const recipients = recipientsFor(event.kind, config, await careTeam(trx, event.childId), at);
    const raised: AlertRow[] = [];
    for (const { person, reason } of recipients) {
      const alert: AlertRow = {
        id: randomUUID(),
        event_id: event.id,
        kind: event.kind,
        child_id: event.childId,
        area: event.area,
        summary: storedSummary(event.kind, event.summary),
        reason,
        source_agency: event.agency,
        recipient_name: person.name,
        recipient_email: person.email.toLowerCase(),
        raised_at: at.toISOString(),
        escalate_at: minutes === null ? null : addMinutes(at, minutes),
        escalation_level: 0,
        acknowledged_at: null,
        acknowledged_by: null,
        acknowledge_note: null,
      };
      raised.push(await store(trx, alert, "raised"));
    }
    return raised;
  }

  /**
   * Takes one event, at least once in, exactly once out: the event's id is recorded in the same transaction as the
   * alerts it raises, so a redelivery finds it and raises nothing. Resolves only once everything is committed (the
   * caller then acknowledges the event to the broker or answers 200).
   *
   * Who is told is decided at the moment the event is handled, not at its occurredAt or recordedAt: the alert must
   * reach whoever is on duty now. A report recorded at 16:55 that reaches us at 17:05 (a relay backlog) must go to
   * EDT, because the social worker has gone home; and occurredAt (last seen, found at) can be hours in the past.
   */
  async function handleEvent(event: SafeguardingEvent): Promise<AlertRow[]> {
    const at = now();
    const raised = await db.transaction().execute(async (trx) => {
      const seen = await trx
        .insertInto("events_seen")
        .values({ id: event.id, kind: event.kind, child_id: event.childId, received_at: at.toISOString() })
        .onConflict((oc) => oc.column("id").doNothing())
        .executeTakeFirst();
      if (Number(seen.numInsertedOrUpdatedRows ?? 0n) === 0) return [];
      if (event.kind === "CARE_TEAM_CHANGED") {
        await rememberCareTeam(trx, event, at);
        return tellAllocatedWorker(trx, event.childId, at);
      }
      if (!isAlertKind(event.kind)) return [];
      return raise(trx, event as SafeguardingEvent & { kind: AlertKind }, at);
    });
    notify(raised);
    return raised;
  }

  /** One event past its deadline with nobody acknowledging: the next person in the call order is told. */
  async function escalateEvent(eventId: string, at: Date): Promise<AlertRow | null> {
    return db.transaction().execute(async (trx) => {
      const alerts = await trx.selectFrom("alerts").selectAll().where("event_id", "=", eventId).execute();
      if (alerts.length === 0) return null;
      const stop = () => trx.updateTable("alerts").set({ escalate_at: null }).where("event_id", "=", eventId).execute();
      if (alerts.some((a) => a.acknowledged_at !== null)) {
        await stop();
        return null;
      }
      const deadlines = alerts.flatMap((a) => (a.escalate_at ? [a.escalate_at] : []));
      const deadline = deadlines.sort().at(-1);
      if (!deadline || deadline > at.toISOString()) return null;
      const first = alerts.find((a) => a.escalation_level === 0) ?? alerts[0];
      const kind = first.kind as AlertKind;
      const config = options.configs.forArea(first.area);
      const minutes = config.escalation.afterMinutes[kind];
      await stop();
      if (minutes === null) return null;
      const team = await careTeam(trx, first.child_id);
      const told = new Set(alerts.map((a) => a.recipient_email));
      const next = config.escalation.callOrder
        .map((step) => callOrderPerson(step, config, team, at))
        .find((person) => !told.has(person.email.toLowerCase()));
      // Everyone in the call order has been told: nothing more to do but wait for one of them.
      if (!next) return null;
      const alert: AlertRow = {
        ...first,
        id: randomUUID(),
        reason: REASONS.escalated(minutes),
        recipient_name: next.name,
        recipient_email: next.email.toLowerCase(),
        raised_at: at.toISOString(),
        escalate_at: addMinutes(at, minutes),
        escalation_level: Math.max(...alerts.map((a) => a.escalation_level)) + 1,
        acknowledged_at: null,
        acknowledged_by: null,
        acknowledge_note: null,
      };
      return store(trx, alert, "escalated");
    });
  }

  /** The escalation timer's work: every event past its deadline, one transaction each. */
  async function escalateDue(): Promise<AlertRow[]> {
    const at = now();
    const due = await db
      .selectFrom("alerts")
      .select("event_id")
      .distinct()
      .where("escalate_at", "<=", at.toISOString())
      .where("acknowledged_at", "is", null)
      .execute();
    const escalated: AlertRow[] = [];
    for (const { event_id } of due) {
      const alert = await escalateEvent(event_id, at);
      if (alert) escalated.push(alert);
    }
    notify(escalated);
    return escalated;
  }

  async function views(rows: AlertRow[]): Promise<AlertView[]> {
    const eventIds = [...new Set(rows.map((r) => r.event_id))];
    const escalations =
      eventIds.length === 0
        ? []
        : await db
            .selectFrom("alerts")
            .select(["event_id", "recipient_name"])
            .where("event_id", "in", eventIds)
            .where("escalation_level", ">", 0)
            .orderBy("escalation_level")
            .execute();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind as AlertKind,
      childId: row.child_id,
      raisedAt: new Date(row.raised_at),
      summary: row.summary,
      reason: row.reason,
      sourceAgency: row.source_agency,
      acknowledgedAt: row.acknowledged_at ? new Date(row.acknowledged_at) : null,
      acknowledgedBy: row.acknowledged_by,
      acknowledgeNote: row.acknowledge_note,
      escalatedTo: escalations.filter((e) => e.event_id === row.event_id).map((e) => e.recipient_name),
    }));
  }

  /** The alerts addressed to this email, newest first. */
  async function alertsFor(email: string, query: { unacknowledgedOnly: boolean; first: number }): Promise<AlertView[]> {
    if (!Number.isInteger(query.first) || query.first < 1 || query.first > MAX_FIRST)
      throw badInput(`first must be a whole number from 1 to ${MAX_FIRST}; got ${query.first}.`, "first");
    let select = db.selectFrom("alerts").selectAll().where("recipient_email", "=", email.toLowerCase());
    if (query.unacknowledgedOnly) select = select.where("acknowledged_at", "is", null);
    return views(await select.orderBy("raised_at", "desc").orderBy("id", "desc").limit(query.first).execute());
  }

  /**
   * The child's events that nobody has acknowledged, newest first, at most CHILD_ALERTS_LIMIT: one entry per event,
   * with everyone it went to. An event counts as acknowledged once any recipient has acknowledged it, as its
   * escalation does: someone has it in hand.
   */
  async function unacknowledgedForChild(childId: string): Promise<ChildAlertView[]> {
    const events = await db
      .selectFrom("alerts")
      .select(["event_id", (eb) => eb.fn.min("raised_at").as("first_raised_at")])
      .where("child_id", "=", childId)
      .groupBy("event_id")
      .having((eb) => eb.fn.count("acknowledged_at"), "=", 0)
      .orderBy("first_raised_at", "desc")
      .orderBy("event_id", "desc")
      .limit(CHILD_ALERTS_LIMIT)
      .execute();
    if (events.length === 0) return [];
    const rows = await db
      .selectFrom("alerts")
      .selectAll()
      .where(
        "event_id",
        "in",
        events.map((e) => e.event_id),
      )
      .orderBy("escalation_level")
      .orderBy("raised_at")
      .orderBy("recipient_name")
      .execute();
    return events.map(({ event_id }) => {
      const told = rows.filter((r) => r.event_id === event_id);
      const raised = told.filter((r) => r.escalation_level === 0);
      const first = raised[0] ?? told[0];
      return {
        kind: first.kind as AlertKind,
        raisedAt: new Date(first.raised_at),
        summary: first.summary,
        sourceAgency: first.source_agency,
        sentTo: raised.map((r) => ({ name: r.recipient_name, reason: r.reason })),
        escalatedTo: told.filter((r) => r.escalation_level > 0).map((r) => r.recipient_name),
      };
    });
  }

  /**
   * The recipient says they have it: the alert records when, by whom and their note, and the event stops escalating.
   * Checked before anything is written, and audited in the same transaction.
   */
  async function acknowledge(
    id: string,
    note: string | null | undefined,
    caller: { name: string; email: string; actor: WriteActor },
  ): Promise<AlertView> {
    const trimmed = note?.trim() || null;
    if (trimmed && trimmed.length > MAX_NOTE_LENGTH)
      throw badInput(`note must be at most ${MAX_NOTE_LENGTH} characters; it has ${trimmed.length}.`, "note");
    const row = await db.transaction().execute(async (trx) => {
      const alert = await trx.selectFrom("alerts").selectAll().where("id", "=", id).executeTakeFirst();
      if (!alert) throw badInput(`No alert has id ${id.slice(0, 40)}: check the id from myAlerts.`, "id");
      if (alert.recipient_email !== caller.email.toLowerCase())
        throw forbidden(
          `Alert ${alert.id} is not addressed to you: you may acknowledge only your own alerts (see myAlerts).`,
          "id",
        );
      if (alert.acknowledged_at)
        throw badInput(
          `This alert was already acknowledged at ${alert.acknowledged_at} by ${alert.acknowledged_by}: nothing was changed.`,
          "id",
        );
      const acknowledgedAt = now().toISOString();
      const changed = await trx
        .updateTable("alerts")
        .set({ acknowledged_at: acknowledgedAt, acknowledged_by: caller.name, acknowledge_note: trimmed })
        .where("id", "=", id)
        .where("acknowledged_at", "is", null)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1)
        throw badInput("This alert was acknowledged a moment ago by someone else: nothing was changed.", "id");
      await trx.updateTable("alerts").set({ escalate_at: null }).where("event_id", "=", alert.event_id).execute();
      await auditWrite(trx, caller.actor, {
        service: SERVICE,
        operation: "acknowledged",
        childId: alert.child_id,
        before: { alertId: alert.id, acknowledgedAt: null },
        after: { alertId: alert.id, acknowledgedAt, acknowledgedBy: caller.name, note: trimmed },
      });
      return { ...alert, acknowledged_at: acknowledgedAt, acknowledged_by: caller.name, acknowledge_note: trimmed };
    });
    return (await views([row]))[0];
  }

  return { handleEvent, escalateDue, alertsFor, unacknowledgedForChild, acknowledge };
}

export type AlertsService = ReturnType<typeof createAlertsService>;

/** Runs escalateDue every intervalMs (ALERTS_ESCALATION_CHECK_MS); a failed round is logged and the next one tries. */
export function startEscalationTimer(
  service: Pick<AlertsService, "escalateDue">,
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = service
      .escalateDue()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
