import { connect, headers, nanos, type NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { ExponentialBackoff, type IBackoff } from "cockatiel";
import type { JWK } from "jose";
import {
  EVENTS_SIGNATURE_HEADER,
  eventSubject,
  parseEvent,
  signEventBody,
  verifyEventBody,
  type NatsSettings,
  type SafeguardingEvent,
} from "./events.js";
import type { Logger } from "./log.js";
import { describeFailure, EventPublishError, type EventPublisher } from "./outbox.js";

/**
 * The NATS JetStream transport of events (issue 12, docs/ALERTS.md): agencies' relays publish into one stream, the
 * alerts service reads it with a durable consumer. Only this file knows NATS; the relay sees an EventPublisher and
 * the alerts service a handler of SafeguardingEvent.
 *
 * Every message carries an HMAC of its body under the events secret (the header x-safeguarding-events-signature, as
 * the HTTP transport's POST does), and the consumer discards one that does not verify: a process that can reach the
 * broker but does not hold the secret cannot raise an alert.
 */

/** How long the broker keeps a message id to drop a repeat: far longer than any relay retries a confirmed event. */
const DUPLICATE_WINDOW_MS = 60 * 60 * 1000;
const PUBLISH_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 2000;

const isApiError = (error: unknown, code: number) => error instanceof JetStreamApiError && error.code === code;

/**
 * Adds the events stream if the broker has none of that name; an existing one is left as it is (its limits may have
 * been tuned by whoever runs the broker). Agencies and the alerts service each call it, whichever starts first.
 */
export async function ensureEventsStream(jsm: JetStreamManager, settings: NatsSettings): Promise<void> {
  try {
    await jsm.streams.info(settings.stream);
    return;
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
  }
  try {
    await jsm.streams.add({
      name: settings.stream,
      subjects: [`${settings.subjectPrefix}.>`],
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  } catch (error) {
    // Another service added it between our look and our add: theirs stands.
    await jsm.streams.info(settings.stream).catch(() => {
      throw error;
    });
  }
}

/**
 * Connects once, without the client's own wait for a first connection: that wait cannot be cancelled, so a broker
 * down at start would leave close() hanging. Instead a failed first connect throws, and the caller (the relay's
 * backoff, the consumer's loop) tries again later. Once connected, the client reconnects by itself, for ever.
 */
async function openConnection(settings: NatsSettings, name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: settings.url,
      ...(settings.user ? { user: settings.user, pass: settings.password } : {}),
      name,
      timeout: CONNECT_TIMEOUT_MS,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
  } catch (error) {
    throw new Error(`the NATS broker could not be reached (${describeFailure(error)})`, { cause: error });
  }
}

/**
 * Publishes events to JetStream, one message each on `<prefix>.<AGENCY>.<KIND>` with the event id as message id, and
 * waits for each PubAck before the next, so they arrive in order. A duplicate ack (the broker had it already) is a
 * confirmation too. It connects on the first publish, not when created, so an agency starts while the broker is down.
 */
export function natsEventPublisher(settings: NatsSettings, log: Logger, secret: JWK): EventPublisher {
  let opening: Promise<{ nc: NatsConnection; js: JetStreamClient; connected: boolean }> | null = null;
  let closed = false;

  async function open() {
    const nc = await openConnection(settings, `safeguarding-relay-${String(log.bindings().service ?? "agency")}`);
    if (closed) {
      await nc.close();
      throw new Error("the relay is closing");
    }
    try {
      await ensureEventsStream(await jetstreamManager(nc), settings);
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw new Error(`the events stream could not be checked (${describeFailure(error)})`, { cause: error });
    }
    void nc.closed().then(() => {
      opening = null;
    });
    const link = { nc, js: jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS }), connected: true };
    // Followed so that a publish while the client is reconnecting fails at once: the client would otherwise buffer
    // it and the relay would wait out the publish timeout on every try of an outage.
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === "disconnect") link.connected = false;
        else if (status.type === "reconnect") link.connected = true;
      }
    })();
    return link;
  }

  return {
    async publish(events: readonly SafeguardingEvent[]) {
      if (closed) throw new Error("the relay is closing");
      opening ??= open().catch((error: unknown) => {
        opening = null;
        throw error;
      });
      const link = await opening;
      if (!link.connected) throw new Error("the NATS broker is not connected; the client is reconnecting");
      for (const [index, event] of events.entries()) {
        try {
          const body = JSON.stringify(event);
          const signed = headers();
          signed.set(EVENTS_SIGNATURE_HEADER, signEventBody(secret, body));
          await link.js.publish(eventSubject(event, settings.subjectPrefix), body, {
            msgID: event.id,
            timeout: PUBLISH_TIMEOUT_MS,
            headers: signed,
          });
        } catch (error) {
          throw new EventPublishError(`the NATS broker did not confirm an event (${describeFailure(error)})`, index, {
            cause: error,
          });
        }
      }
    },
    async close() {
      closed = true;
      const current = opening;
      opening = null;
      const connection = await current?.catch(() => null);
      await connection?.nc.close();
    },
  };
}

export interface ConsumeEventsOptions {
  /** The durable consumer's name: every instance of the alerts service shares it, so each event is handled once. */
  durable?: string;
  /**
   * Handles one event. The message is acknowledged only after it resolves; if it throws, the event comes again after
   * a delay. It may see an event more than once (a lost ack), so it must recognise one it has handled.
   */
  handle: (event: SafeguardingEvent) => Promise<void>;
  log: Logger;
  /** The events secret: a message whose signature does not verify under it is discarded. */
  secret: JWK;
  /** First redelivery delay after a failed handle; doubles with each delivery, up to a minute. */
  retryDelayMs?: number;
}

export interface EventConsumer {
  /** Stops taking messages, lets the one being handled finish (and its ack go), then disconnects. */
  close(): Promise<void>;
}

/**
 * Reads the events stream through a durable pull consumer with explicit acks, one event at a time. It returns at
 * once: connecting, and adding the stream and consumer when missing, happen in the background and are retried with
 * backoff while the broker is unreachable, so a broker down at start does not stop the alerts service.
 */
export function consumeEvents(settings: NatsSettings, options: ConsumeEventsOptions): EventConsumer {
  const durable = options.durable ?? "alerts";
  const { log, handle } = options;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const backoffSchedule = new ExponentialBackoff({ initialDelay: 200, maxDelay: 5000 });
  let closed = false;
  let nc: NatsConnection | null = null;
  let messages: ConsumerMessages | null = null;
  let wake: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function take(message: JsMsg): Promise<void> {
    if (!verifyEventBody(options.secret, message.string(), message.headers?.get(EVENTS_SIGNATURE_HEADER))) {
      // Not from a holder of the events secret (or altered on the way): never handled, never redelivered.
      log.error(
        { subject: message.subject, streamSequence: message.seq },
        "event signature does not verify; discarded",
      );
      message.term();
      return;
    }
    let event: SafeguardingEvent;
    try {
      event = parseEvent(message.json());
    } catch (error) {
      // Redelivering a message that can never be read would only block the ones behind it.
      log.error(
        { subject: message.subject, streamSequence: message.seq, error: describeFailure(error) },
        "event is not valid; discarded",
      );
      message.term();
      return;
    }
    try {
      await handle(event);
    } catch (error) {
      const deliveries = message.info.deliveryCount;
      const delay = Math.min(retryDelayMs * 2 ** (deliveries - 1), 60_000);
      log.warn(
        { eventId: event.id, kind: event.kind, deliveries, retryInMs: delay, error: describeFailure(error) },
        "event not handled; it will come again",
      );
      message.nak(delay);
      return;
    }
    message.ack();
  }

  async function consumeOnce(): Promise<void> {
    if (nc?.isClosed()) nc = null;
    nc ??= await openConnection(settings, `safeguarding-${durable}`);
    const jsm = await jetstreamManager(nc);
    await ensureEventsStream(jsm, settings);
    try {
      await jsm.consumers.info(settings.stream, durable);
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
      await jsm.consumers.add(settings.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
    }
    const consumer = await jetstream(nc).consumers.get(settings.stream, durable);
    messages = await consumer.consume({ max_messages: 100 });
    if (closed) messages.stop();
    if (outage) log.info({ durable }, "consuming events again");
    outage = false;
    backoff = null;
    // The client keeps this going across a broker restart (it reconnects and pulls again); it ends when we stop it.
    for await (const message of messages) await take(message);
  }

  let outage = false;
  let backoff: IBackoff<unknown> | null = null;
  const loop = (async () => {
    while (!closed) {
      try {
        await consumeOnce();
      } catch (error) {
        if (closed) break;
        if (!outage)
          log.warn({ durable, error: describeFailure(error), retry: "with backoff" }, "cannot consume events");
        outage = true;
        backoff = backoff ? backoff.next(undefined) : backoffSchedule.next();
        await sleep(backoff.duration);
      }
    }
  })();

  return {
    async close() {
      closed = true;
      wake?.();
      messages?.stop();
      await loop;
      await nc?.drain().catch(() => undefined);
    },
  };
}
