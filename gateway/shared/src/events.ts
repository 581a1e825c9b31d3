import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { JWK } from "jose";
import { AGENCY_CODES, type AgencyCode } from "./agencies.js";
import { loadOrCreateSecret, readJwk } from "./keys.js";

/**
 * Events: facts an agency has just recorded that someone else must be told about (issue 12). An agency writes the
 * event into its own store's `outbox` table in the same transaction as the fact, so the two commit together or not
 * at all; a relay (outbox.ts) then carries it to the alerts service, over NATS JetStream when NATS_URL is set and
 * over HTTP otherwise. The alerts service decides who is told. docs/ALERTS.md has the whole flow.
 */

/** Kinds that raise alerts, with the agency that owns the fact. */
export const ALERT_KINDS = [
  "MISSING_REPORTED",
  "FOUND",
  "HELD_AT_POLICE_STATION",
  "LEGAL_STATUS_CHANGED",
  "PROTOCOL_OVERDUE",
  "MENTAL_HEALTH_ESCALATION_DUE",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * Every kind of event. CARE_TEAM_CHANGED raises no alert: social care tells the alerts service who the child's
 * allocated social worker and named on-call manager are, so that it can address the alerts of the other kinds.
 */
export const EVENT_KINDS = [...ALERT_KINDS, "CARE_TEAM_CHANGED"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const isAlertKind = (kind: string): kind is AlertKind => (ALERT_KINDS as readonly string[]).includes(kind);

/** A person an event names: who the alerts service may address. Matched to a signed-in user by email. */
export interface EventPerson {
  name: string;
  email: string;
}

/** What CARE_TEAM_CHANGED carries in `data`. */
export interface CareTeamData {
  socialWorker: EventPerson | null;
  onCallManager: EventPerson | null;
}

export interface SafeguardingEvent {
  /** A UUID: the outbox row's key, the JetStream message id (the broker drops a repeat) and the alerts service's. */
  id: string;
  kind: EventKind;
  /** The agency that recorded the fact. */
  agency: AgencyCode;
  /** The child's NHS number, ten digits. */
  childId: string;
  /** The child's local authority area, as the agency records it: which area's alert configuration applies. */
  area: string;
  /** When the fact happened (reported missing at, found at, order made), ISO 8601. */
  occurredAt: string;
  /** When the agency committed it, ISO 8601. */
  recordedAt: string;
  /**
   * One line a recipient reads in their alerts: what happened, never clinical or CSE detail (an email carries only
   * the kind and a link, not this).
   */
  summary: string;
  /** Facts the alerts service needs for this kind (CareTeamData for CARE_TEAM_CHANGED; ids for the others). */
  data: Record<string, unknown>;
}

export type NewEvent = Omit<SafeguardingEvent, "id" | "recordedAt"> & { id?: string; recordedAt?: string };

/**
 * The JetStream stream every agency publishes to and the alerts service consumes from, and its subjects' prefix:
 * these defaults, or NATS_STREAM and NATS_SUBJECT_PREFIX (tests give each run its own and remove it).
 */
export const EVENTS_STREAM = "SAFEGUARDING_EVENTS";
export const EVENTS_SUBJECT_PREFIX = "safeguarding.events";

export interface NatsSettings {
  url: string;
  stream: string;
  subjectPrefix: string;
  /**
   * The service's own user at the broker (NATS_USER, NATS_PASSWORD), when the broker asks for one: deploy/nats.conf
   * gives each service a user allowed only what it does (an agency publishes its own events, the alerts service
   * consumes). The client takes no credentials from the URL, hence two settings.
   */
  user?: string;
  password?: string;
}

/**
 * NATS_URL, NATS_STREAM, NATS_SUBJECT_PREFIX, NATS_USER and NATS_PASSWORD; null when NATS_URL is unset (events then
 * travel over HTTP).
 */
export function natsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NatsSettings | null {
  if (!env.NATS_URL) return null;
  if (Boolean(env.NATS_USER) !== Boolean(env.NATS_PASSWORD))
    throw new Error("NATS_USER and NATS_PASSWORD go together: set both, or neither for a broker without users.");
  return {
    url: env.NATS_URL,
    stream: env.NATS_STREAM || EVENTS_STREAM,
    subjectPrefix: env.NATS_SUBJECT_PREFIX || EVENTS_SUBJECT_PREFIX,
    ...(env.NATS_USER ? { user: env.NATS_USER, password: env.NATS_PASSWORD } : {}),
  };
}

/** `safeguarding.events.POLICE.MISSING_REPORTED` */
export const eventSubject = (event: Pick<SafeguardingEvent, "agency" | "kind">, prefix = EVENTS_SUBJECT_PREFIX) =>
  `${prefix}.${event.agency}.${event.kind}`;

/** Where agencies post events when there is no NATS_URL: the alerts service's /events. */
export const DEFAULT_ALERTS_PORT = 4004;
export function alertsEventsUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.ALERTS_EVENTS_URL || `http://127.0.0.1:${DEFAULT_ALERTS_PORT}/events`;
}

export interface OutboxTable {
  id: string;
  kind: string;
  child_id: string;
  /** The event as JSON: what is published, byte for byte. */
  body: string;
  created_at: string;
  /** Set when the broker (or the alerts service) acknowledged it; null while it waits. */
  published_at: string | null;
  attempts: number;
  last_error: string | null;
}

export interface OutboxTables {
  outbox: OutboxTable;
}

export const outboxMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("outbox")
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("kind", "varchar(40)", (c) => c.notNull())
      .addColumn("child_id", "varchar(10)", (c) => c.notNull())
      .addColumn("body", "text", (c) => c.notNull())
      .addColumn("created_at", "varchar(32)", (c) => c.notNull())
      .addColumn("published_at", "varchar(32)")
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error", "text")
      .execute();
    // The relay's question, "what is still waiting, oldest first", answered from the index.
    await db.schema.createIndex("outbox_waiting").on("outbox").columns(["published_at", "created_at"]).execute();
  },
};

export class EventFormatError extends Error {}

/**
 * Writes an event into the outbox. Call it with the transaction that writes the fact: the event exists exactly when
 * the fact does.
 */
export async function recordEvent(trx: Kysely<any>, input: NewEvent): Promise<SafeguardingEvent> {
  const event = parseEvent({
    ...input,
    id: input.id ?? randomUUID(),
    recordedAt: input.recordedAt ?? new Date().toISOString(),
  });
  await (trx as Kysely<OutboxTables>)
    .insertInto("outbox")
    .values({
      id: event.id,
      kind: event.kind,
      child_id: event.childId,
      body: JSON.stringify(event),
      created_at: event.recordedAt,
      published_at: null,
      attempts: 0,
      last_error: null,
    })
    .execute();
  return event;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function person(value: unknown, field: string): EventPerson | null {
  if (value === null || value === undefined) return null;
  const p = value as Partial<EventPerson>;
  if (typeof p.name !== "string" || typeof p.email !== "string" || !p.email.includes("@"))
    throw new EventFormatError(`${field} must be null or { name, email }.`);
  return { name: p.name, email: p.email.toLowerCase() };
}

/**
 * Checks an event's shape, as a producer writes it and as a consumer receives it; throws EventFormatError naming the
 * field. What comes off the wire is never trusted further than this.
 */
export function parseEvent(value: unknown): SafeguardingEvent {
  if (typeof value !== "object" || value === null) throw new EventFormatError("An event must be a JSON object.");
  const e = value as Record<string, unknown>;
  const text = (field: string, max = 500) => {
    const v = e[field];
    if (typeof v !== "string" || v.trim() === "" || v.length > max)
      throw new EventFormatError(`${field} must be a non-empty string of at most ${max} characters.`);
    return v;
  };
  const id = text("id", 36);
  if (!UUID.test(id)) throw new EventFormatError("id must be a UUID.");
  const kind = text("kind", 40);
  if (!(EVENT_KINDS as readonly string[]).includes(kind))
    throw new EventFormatError(`kind must be one of ${EVENT_KINDS.join(", ")}.`);
  const agency = text("agency", 40);
  if (!(AGENCY_CODES as readonly string[]).includes(agency))
    throw new EventFormatError(`agency must be one of ${AGENCY_CODES.join(", ")}.`);
  const childId = text("childId", 10);
  if (!/^\d{10}$/.test(childId)) throw new EventFormatError("childId must be an NHS number of ten digits.");
  const occurredAt = text("occurredAt", 32);
  const recordedAt = text("recordedAt", 32);
  for (const [field, v] of [
    ["occurredAt", occurredAt],
    ["recordedAt", recordedAt],
  ] as const)
    if (!ISO.test(v) || Number.isNaN(Date.parse(v)))
      throw new EventFormatError(`${field} must be an ISO 8601 UTC instant.`);
  const data = e.data ?? {};
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new EventFormatError("data must be an object.");
  const event: SafeguardingEvent = {
    id: id.toLowerCase(),
    kind: kind as EventKind,
    agency: agency as AgencyCode,
    childId,
    area: text("area", 100),
    occurredAt,
    recordedAt,
    summary: text("summary", 300),
    data: data as Record<string, unknown>,
  };
  if (event.kind === "CARE_TEAM_CHANGED") {
    const d = data as Record<string, unknown>;
    event.data = {
      socialWorker: person(d.socialWorker, "data.socialWorker"),
      onCallManager: person(d.onCallManager, "data.onCallManager"),
    } satisfies CareTeamData;
  }
  return event;
}

/**
 * Events that travel over HTTP (no NATS_URL: the embedded default) carry an HMAC-SHA256 of the body under the events
 * secret in this header, so the alerts service takes events only from a holder of the secret. Over NATS the broker's
 * own accounts and credentials decide who may publish.
 */
export const EVENTS_SIGNATURE_HEADER = "x-safeguarding-events-signature";

function secretBytes(secret: JWK): Buffer {
  if (secret.kty !== "oct" || typeof secret.k !== "string") throw new Error("The events secret must be an oct JWK.");
  const key = Buffer.from(secret.k, "base64url");
  if (key.length < 32) throw new Error("The events secret must hold at least 256 bits.");
  return key;
}

export function signEventBody(secret: JWK, body: string): string {
  return createHmac("sha256", secretBytes(secret)).update(body).digest("base64url");
}

export function verifyEventBody(secret: JWK, body: string, signature: string | undefined | null): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signEventBody(secret, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The events secret: EVENTS_SECRET_FILE (required in production, written by npm run deploy:secrets), or locally a
 * development secret under <data dir>/keys shared by every local service.
 */
export async function eventsSecret(dataDir: string, production: boolean): Promise<JWK> {
  const file = process.env.EVENTS_SECRET_FILE;
  if (file) return readJwk(file);
  if (production) throw new Error("EVENTS_SECRET_FILE must be set when NODE_ENV=production.");
  return (await loadOrCreateSecret(dataDir, "events")).jwk;
}
