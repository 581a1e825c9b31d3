import type { Kysely } from "kysely";
import { ExponentialBackoff, type IBackoff } from "cockatiel";
import type { JWK } from "jose";
import {
  EVENTS_SIGNATURE_HEADER,
  parseEvent,
  signEventBody,
  type OutboxTables,
  type SafeguardingEvent,
} from "./events.js";
import type { Logger } from "./log.js";
import { countOutboxWaiting, eventsPublished } from "./metrics.js";

/**
 * The outbox relay (issue 12, docs/ALERTS.md): carries the events an agency's writes left in its `outbox` table to
 * the broker (NATS JetStream, nats.ts) or the alerts service (HTTP, below), oldest first, and marks a row published
 * only once the other side has confirmed it. Delivery is at least once: a row confirmed but not yet marked (the
 * process stopped between the two) goes again, and the broker's duplicate window and the alerts service's "seen this
 * event id" check drop the repeat.
 */

/** Where the relay hands events. */
export interface EventPublisher {
  /**
   * Publishes the events in the order given. Resolves only when every one of them is confirmed. Throws otherwise:
   * an EventPublishError says how many from the start were confirmed (those are marked published), any other error
   * means none were. A publisher stops at the first event it cannot publish, so none overtakes an earlier one.
   */
  publish(events: readonly SafeguardingEvent[]): Promise<void>;
  /** Stops it; an unfinished publish fails. */
  close(): Promise<void>;
}

export class EventPublishError extends Error {
  constructor(
    message: string,
    /** How many events from the start of the batch were confirmed before the failure. */
    readonly confirmed: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface RelayOptions {
  /** The agency's store: any Kysely with the `outbox` table (SQLite or PostgreSQL). */
  db: Kysely<any>;
  /** The relay owns it from here: close() closes it. */
  publisher: EventPublisher;
  log: Logger;
  /** The metrics' service label; by default the logger's `service`. */
  service?: string;
  /** How often it looks for waiting rows when nothing nudges it. */
  intervalMs?: number;
  batchSize?: number;
  /** Longest wait between tries while the other side is failing. */
  maxBackoffMs?: number;
}

export interface Relay {
  /** Looks for waiting rows now (after a write that recorded an event) instead of at the next tick. */
  nudge(): void;
  /** Publishes until nothing is waiting; rejects with the error of the first pass that fails. */
  drain(): Promise<void>;
  /** Stops it, waits for a pass in progress to finish, and closes the publisher. Call before closing the store. */
  close(): Promise<void>;
}

type PassResult = { ok: true; more: boolean } | { ok: false; error: unknown };

const MAX_ERROR_LENGTH = 200;

/**
 * The failure as kept in `last_error` and logged: its message without any URL (a broker URL may carry credentials)
 * and short enough for a column someone reads in an incident.
 */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cleaned = message
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, "<address>")
    .replace(/\s+/g, " ")
    .trim();
  return (cleaned || "unknown error").slice(0, MAX_ERROR_LENGTH);
}

export function startRelay(options: RelayOptions): Relay {
  const { publisher, log } = options;
  const db = options.db as Kysely<OutboxTables>;
  const intervalMs = options.intervalMs ?? 200;
  const batchSize = options.batchSize ?? 100;
  const service = options.service ?? String((log.bindings() as { service?: unknown }).service ?? "unknown");
  // cockatiel's backoff is used as a schedule, not as a retry policy: a retry policy would hold one pass open across
  // the outage, while the relay must end every pass (so close() is never stuck behind a wait) and keep reading the
  // table afresh, since rows written during the outage join the queue in order.
  const backoffSchedule = new ExponentialBackoff({
    initialDelay: Math.max(intervalMs, 100),
    maxDelay: options.maxBackoffMs ?? 5000,
  });
  let backoff: IBackoff<unknown> | null = null;
  let outage: { since: number; passes: number } | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<PassResult> | null = null;
  let again = false;
  const malformed = new Set<string>();

  const stopCounting = countOutboxWaiting(service, async () => {
    const row = await db
      .selectFrom("outbox")
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("waiting"))
      .where("published_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.waiting);
  });

  /** One pass: the oldest waiting rows, published in order. Returns whether a full batch went (more may wait). */
  async function pass(): Promise<boolean> {
    const rows = await db
      .selectFrom("outbox")
      .select(["id", "body"])
      .where("published_at", "is", null)
      .orderBy("created_at")
      .orderBy("id")
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return false;

    const events: SafeguardingEvent[] = [];
    for (const row of rows) {
      try {
        events.push(parseEvent(JSON.parse(row.body)));
      } catch (error) {
        // recordEvent checks every event before writing it, so this is a row written some other way. It stays in the
        // table (and in the waiting gauge) for someone to look at, and the rest go past it.
        if (!malformed.has(row.id)) {
          malformed.add(row.id);
          log.error({ eventId: row.id, error: describeFailure(error) }, "outbox row is not a valid event; skipped");
          await db
            .updateTable("outbox")
            .set((eb) => ({
              attempts: eb("attempts", "+", 1),
              last_error: `not a valid event: ${describeFailure(error)}`,
            }))
            .where("id", "=", row.id)
            .execute();
        }
      }
    }
    if (events.length === 0) return false;

    let confirmed: number;
    let failure: unknown = null;
    try {
      await publisher.publish(events);
      confirmed = events.length;
    } catch (error) {
      failure = error;
      confirmed = error instanceof EventPublishError ? Math.min(Math.max(error.confirmed, 0), events.length) : 0;
    }

    const publishedAt = new Date().toISOString();
    if (confirmed > 0) {
      await db
        .updateTable("outbox")
        .set({ published_at: publishedAt })
        .where(
          "id",
          "in",
          events.slice(0, confirmed).map((e) => e.id),
        )
        .execute();
      eventsPublished.inc({ service, outcome: "published" }, confirmed);
    }
    if (failure === null) return rows.length === batchSize;

    const lastError = describeFailure(failure);
    const unconfirmed = events.slice(confirmed).map((e) => e.id);
    await db
      .updateTable("outbox")
      .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: lastError }))
      .where("id", "in", unconfirmed)
      .execute();
    eventsPublished.inc({ service, outcome: "failed" }, unconfirmed.length);
    throw failure;
  }

  function scheduleNext(delayMs: number) {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void run();
    }, delayMs);
    // A relay alone must not keep a process (or a test worker) alive.
    timer.unref();
  }

  /**
   * Runs one pass unless one is running already (then it is that pass's result, and another follows it at once);
   * schedules the next pass from how this one went. Never rejects: a failure is the result.
   */
  function run(): Promise<PassResult> {
    if (running) {
      again = true;
      return running;
    }
    again = false;
    running = pass()
      .then(
        (more): PassResult => {
          if (outage) {
            log.info(
              { failedPasses: outage.passes, outageSeconds: Math.round((Date.now() - outage.since) / 1000) },
              "events are being published again",
            );
          }
          outage = null;
          backoff = null;
          return { ok: true, more };
        },
        (error: unknown): PassResult => {
          backoff = backoff ? backoff.next(undefined) : backoffSchedule.next();
          if (!closed) {
            // Once per outage, not per pass: a broker down for an hour is one line, and its end is another.
            if (!outage)
              log.warn({ error: describeFailure(error), retry: "with backoff" }, "events cannot be published");
            outage ??= { since: Date.now(), passes: 0 };
            outage.passes += 1;
          }
          return { ok: false, error };
        },
      )
      .then((result) => {
        running = null;
        if (result.ok) scheduleNext(result.more || again ? 0 : intervalMs);
        else scheduleNext(backoff?.duration ?? intervalMs);
        return result;
      });
    return running;
  }

  scheduleNext(0);

  return {
    nudge() {
      // While failing, the backoff decides when to try again: each write would otherwise be one more try at a broker
      // that is down.
      if (closed || outage) return;
      if (running) again = true;
      else scheduleNext(0);
    },
    async drain() {
      for (;;) {
        if (closed) return;
        const current = running ? await running : null;
        if (current && !current.ok) throw current.error;
        const waiting = await db
          .selectFrom("outbox")
          .select("id")
          .where("published_at", "is", null)
          .limit(malformed.size + 1)
          .execute();
        if (waiting.every((row) => malformed.has(row.id))) return;
        const result = await run();
        if (!result.ok) throw result.error;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      stopCounting();
      // Closing the publisher first ends a publish in progress at once, rather than after its timeout.
      const closing = publisher.close();
      await running;
      await closing;
    },
  };
}

export interface HttpPublisherOptions {
  /** The alerts service's events endpoint (alertsEventsUrl()). */
  url: string;
  /** The events secret (eventsSecret()): the body's signature proves the sender holds it. */
  secret: JWK;
  timeoutMs?: number;
}

/**
 * Posts each batch as one JSON array to the alerts service, signed (EVENTS_SIGNATURE_HEADER). A 2xx means the
 * alerts service committed every event in it; anything else confirms none, and the relay sends the batch again.
 */
export function httpEventPublisher(options: HttpPublisherOptions): EventPublisher {
  const timeoutMs = options.timeoutMs ?? 5000;
  const closing = new AbortController();
  return {
    async publish(events) {
      if (closing.signal.aborted) throw new Error("the relay is closing");
      const body = JSON.stringify(events);
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [EVENTS_SIGNATURE_HEADER]: signEventBody(options.secret, body),
          },
          body,
          signal: AbortSignal.any([timeout, closing.signal]),
        });
      } catch (error) {
        if (timeout.aborted)
          throw new Error(`the alerts service did not answer within ${timeoutMs / 1000} s`, { cause: error });
        if (closing.signal.aborted) throw new Error("the relay is closing", { cause: error });
        const cause = (error as { cause?: { code?: unknown } }).cause;
        const code = typeof cause?.code === "string" ? cause.code : "network error";
        throw new Error(`the alerts service could not be reached (${code})`, { cause: error });
      }
      // Read to the end so the kept-alive connection can carry the next batch.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status >= 300)
        throw new Error(`the alerts service answered ${response.status}; the batch will be sent again`);
    },
    async close() {
      closing.abort();
    },
  };
}
