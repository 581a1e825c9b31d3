import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JWK } from "jose";
import {
  EVENTS_SIGNATURE_HEADER,
  eventSubject,
  outboxMigration,
  parseEvent,
  natsSettingsFromEnv,
  recordEvent,
  signEventBody,
  type NatsSettings,
  type NewEvent,
  type OutboxTables,
  type SafeguardingEvent,
} from "./events.js";
import { createRootLogger, type Logger } from "./log.js";
import { consumeEvents, ensureEventsStream, natsEventPublisher } from "./nats.js";
import { startRelay } from "./outbox.js";
import { openStore } from "./store.js";

const NATS_URL = process.env.NATS_TEST_URL ?? "nats://127.0.0.1:4222";
const NATS_SERVER = "/usr/sbin/nats-server";

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const answer = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000);
    socket.once("connect", () => answer(true));
    socket.once("error", () => answer(false));
    socket.once("timeout", () => answer(false));
    socket.connect(Number(port) || 4222, hostname);
  });
}

const brokerUp = await reachable(NATS_URL);
// On CI the broker is part of the machine (.ci/run starts it): a missing broker there is a failure, not a skip.
if (!brokerUp && !process.env.CI)
  console.warn(`nats.test.ts skipped: no NATS broker answers at ${NATS_URL} (start one, or set NATS_TEST_URL).`);
const describeWithBroker = brokerUp || process.env.CI ? describe : describe.skip;

/** Each run's own stream and subjects, removed afterwards: a stream left behind lives on in the machine's broker. */
/** The events secret every publisher here signs with, and every consumer checks. */
const SECRET: JWK = { kty: "oct", k: randomBytes(32).toString("base64url") };

/** NATS headers carrying the body's signature under `secret`, as a relay sends them. */
function signedWith(secret: JWK, body: string) {
  const h = headers();
  h.set(EVENTS_SIGNATURE_HEADER, signEventBody(secret, body));
  return h;
}

function testSettings(url: string): NatsSettings {
  const run = randomBytes(4).toString("hex");
  return { url, stream: `TEST_EVENTS_${run}`, subjectPrefix: `test.${run}.events` };
}

let sequence = 0;
function missingReported(overrides: Partial<NewEvent> = {}): SafeguardingEvent {
  sequence += 1;
  return parseEvent({
    id: randomUUID(),
    kind: "MISSING_REPORTED",
    agency: "POLICE",
    childId: "9990000026",
    area: "Northshire",
    occurredAt: "2026-12-06T21:40:00.000Z",
    recordedAt: new Date(Date.UTC(2026, 11, 6, 22, 0, 0) + sequence).toISOString(),
    summary: `Jayden reported missing (${sequence})`,
    data: { episodeId: `ME-${sequence}` },
    ...overrides,
  });
}

function testLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createRootLogger({ write: (line: string) => lines.push(JSON.parse(line)) }, "info").child({
    service: "nats-test",
  });
  return { log, lines };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function streamIds(jsm: JetStreamManager, stream: string): Promise<string[]> {
  const { state } = await jsm.streams.info(stream);
  const ids: string[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (message) ids.push((message.json() as SafeguardingEvent).id);
  }
  return ids;
}

describeWithBroker("NATS transport against the machine's broker", () => {
  const settings = testSettings(NATS_URL);
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    jsm = await jetstreamManager(nc);
    await ensureEventsStream(jsm, settings);
  });
  afterAll(async () => {
    await jsm?.streams.delete(settings.stream).catch(() => undefined);
    await nc?.close();
  });

  it("adds the stream once, with the subjects, file storage and an hour's duplicate window", async () => {
    await ensureEventsStream(jsm, settings);
    const { config } = await jsm.streams.info(settings.stream);
    expect(config.subjects).toEqual([`${settings.subjectPrefix}.>`]);
    expect(config.storage).toBe("file");
    expect(config.duplicate_window).toBe(60 * 60 * 1e9);
  });

  it("keeps one message when the same event is published twice", async () => {
    const publisher = natsEventPublisher(settings, testLog().log, SECRET);
    const event = missingReported();
    const before = (await jsm.streams.info(settings.stream)).state.messages;
    try {
      await publisher.publish([event]);
      await publisher.publish([event]);
    } finally {
      await publisher.close();
    }
    expect((await jsm.streams.info(settings.stream)).state.messages).toBe(before + 1);
    const stored = await jsm.streams.getMessage(settings.stream, {
      last_by_subj: eventSubject(event, settings.subjectPrefix),
    });
    expect(stored?.json()).toEqual(event);
  });

  it("hands every event to the handler once and acks it; a handler that throws gets the event again", async () => {
    const durable = `alerts_${randomBytes(3).toString("hex")}`;
    const events = [missingReported(), missingReported({ kind: "FOUND" }), missingReported()];
    const publisher = natsEventPublisher(settings, testLog().log, SECRET);
    await publisher.publish(events);
    await publisher.close();

    const handled: string[] = [];
    let thrown = 0;
    const { log, lines } = testLog();
    const consumer = consumeEvents(settings, {
      secret: SECRET,
      durable,
      log,
      retryDelayMs: 50,
      async handle(event) {
        if (event.id === events[1].id && thrown === 0) {
          thrown += 1;
          throw new Error("the alerts store is busy");
        }
        handled.push(event.id);
      },
    });
    try {
      // The stream holds the earlier tests' event too: this consumer starts at the beginning.
      await waitFor(() => events.every((e) => handled.includes(e.id)));
      expect(thrown).toBe(1);
      for (const event of events) expect(handled.filter((id) => id === event.id)).toHaveLength(1);
      expect(lines.some((l) => l.message === "event not handled; it will come again")).toBe(true);
      await waitFor(async () => {
        const info = await jsm.consumers.info(settings.stream, durable);
        return info.num_ack_pending === 0 && info.num_pending === 0;
      });
    } finally {
      await consumer.close();
      await jsm.consumers.delete(settings.stream, durable).catch(() => undefined);
    }
  });

  /**
   * Publishes what `bad` puts on the stream, then one good event, and consumes with a durable of its own until the
   * good one is handled: what was handled, and how many times the consumer logged `discarded`.
   */
  async function consumeAfter(bad: () => Promise<unknown>, discarded: string) {
    const durable = `alerts_${randomBytes(3).toString("hex")}`;
    await bad();
    const after = missingReported();
    const publisher = natsEventPublisher(settings, testLog().log, SECRET);
    await publisher.publish([after]);
    await publisher.close();
    const handled: string[] = [];
    const { log, lines } = testLog();
    const consumer = consumeEvents(settings, {
      secret: SECRET,
      durable,
      log,
      handle: async (event) => void handled.push(event.id),
    });
    try {
      await waitFor(() => handled.includes(after.id));
      await waitFor(async () => (await jsm.consumers.info(settings.stream, durable)).num_ack_pending === 0);
      return { handled, discards: lines.filter((l) => l.message === discarded).length };
    } finally {
      await consumer.close();
      await jsm.consumers.delete(settings.stream, durable).catch(() => undefined);
    }
  }

  it("discards a message that is not an event, and goes on to the next", async () => {
    // Signed with the events secret, so it is the body, not the signature, that is refused.
    const { discards } = await consumeAfter(
      () =>
        jetstream(nc).publish(`${settings.subjectPrefix}.POLICE.MISSING_REPORTED`, "{not json", {
          headers: signedWith(SECRET, "{not json"),
        }),
      "event is not valid; discarded",
    );
    expect(discards).toBe(1);
  });

  it("discards an event not signed with the events secret, unsigned or forged, and never hands it over", async () => {
    const forged = missingReported({ summary: "Forged: a child reported missing" });
    const body = JSON.stringify(forged);
    const subject = eventSubject(forged, settings.subjectPrefix);
    const { handled, discards } = await consumeAfter(async () => {
      await jetstream(nc).publish(subject, body);
      await jetstream(nc).publish(subject, body, {
        headers: signedWith({ kty: "oct", k: randomBytes(32).toString("base64url") }, body),
      });
    }, "event signature does not verify; discarded");
    expect(handled).not.toContain(forged.id);
    expect(discards).toBe(2);
  });

  it("starts without a broker: publishing fails at once with a reason, and close() does not hang", async () => {
    const port = await freePort();
    const publisher = natsEventPublisher({ ...settings, url: `nats://127.0.0.1:${port}` }, testLog().log, SECRET);
    await expect(publisher.publish([missingReported()])).rejects.toThrow(/^the NATS broker could not be reached/);
    await publisher.close();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A broker of this test's own (never the machine's), on a given port and store dir so it can come back as it was. */
async function startBroker(port: number, storeDir: string): Promise<ChildProcess> {
  const broker = spawn(NATS_SERVER, ["-js", "-sd", storeDir, "-p", String(port), "-a", "127.0.0.1"], {
    stdio: "ignore",
  });
  await waitFor(() => reachable(`nats://127.0.0.1:${port}`), 10_000);
  return broker;
}

async function stopBroker(broker: ChildProcess): Promise<void> {
  if (broker.exitCode !== null || broker.signalCode !== null) return;
  const exited = new Promise((resolve) => broker.once("exit", resolve));
  broker.kill("SIGTERM");
  await exited;
}

const haveServer = existsSync(NATS_SERVER);
if (!haveServer && !process.env.CI) console.warn(`The broker-down test is skipped: ${NATS_SERVER} is not installed.`);

(haveServer || process.env.CI ? describe : describe.skip)("NATS transport while the broker is down", () => {
  const dir = mkdtempSync(join(tmpdir(), "nats-down-"));
  let broker: ChildProcess | null = null;

  afterAll(async () => {
    if (broker) await stopBroker(broker);
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers all 100 events written while the broker was down, exactly once, to the stream and the consumer", async () => {
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const settings = testSettings(url);
    broker = await startBroker(port, join(dir, "jetstream"));
    const store = await openStore<OutboxTables>({
      name: "outbox",
      sqlitePath: join(dir, "police.db"),
      migrations: { "910_outbox": outboxMigration },
    });
    const relayLog = testLog();
    const relay = startRelay({
      db: store.db,
      publisher: natsEventPublisher(settings, relayLog.log, SECRET),
      log: relayLog.log,
      intervalMs: 50,
      maxBackoffMs: 500,
    });
    const handled: string[] = [];
    const consumer = consumeEvents(settings, {
      secret: SECRET,
      durable: "alerts",
      log: testLog().log,
      handle: async (event) => void handled.push(event.id),
    });
    let nc: NatsConnection | null = null;
    try {
      // Up: one event goes straight through (and the relay holds a live connection when the broker goes).
      const first = await recordEvent(store.db, missingReported());
      relay.nudge();
      await waitFor(() => handled.includes(first.id));

      await stopBroker(broker);
      const recorded: string[] = [];
      for (let i = 0; i < 100; i++) recorded.push((await recordEvent(store.db, missingReported())).id);
      relay.nudge();
      // Let the relay fail against the missing broker for a while.
      await waitFor(async () => {
        const row = await store.db
          .selectFrom("outbox")
          .select("attempts")
          .where("id", "=", recorded[0])
          .executeTakeFirstOrThrow();
        return row.attempts >= 2;
      });

      broker = await startBroker(port, join(dir, "jetstream"));
      await waitFor(async () => {
        const waiting = await store.db.selectFrom("outbox").select("id").where("published_at", "is", null).execute();
        return waiting.length === 0;
      }, 30_000);

      nc = await connect({ servers: url });
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(settings.stream)).state.messages).toBe(101);
      const ids = await streamIds(jsm, settings.stream);
      expect(ids).toEqual([first.id, ...recorded]);

      // The consumer kept going across the restart: it gets each event once.
      await waitFor(() => recorded.every((id) => handled.includes(id)), 30_000);
      expect(new Set(handled).size).toBe(handled.length);
      // One warning for the whole outage, not one per try.
      expect(relayLog.lines.filter((l) => l.message === "events cannot be published")).toHaveLength(1);
      expect(relayLog.lines.some((l) => l.message === "events are being published again")).toBe(true);
    } finally {
      await consumer.close();
      await relay.close();
      await store.close();
      await nc?.close();
    }
  }, 90_000);
});

describe("the NATS settings from the environment", () => {
  it("is off without NATS_URL, takes the defaults, and takes a user only with its password", () => {
    expect(natsSettingsFromEnv({})).toBeNull();
    expect(natsSettingsFromEnv({ NATS_URL: "nats://nats:4222" })).toEqual({
      url: "nats://nats:4222",
      stream: "SAFEGUARDING_EVENTS",
      subjectPrefix: "safeguarding.events",
    });
    expect(
      natsSettingsFromEnv({ NATS_URL: "nats://nats:4222", NATS_USER: "police", NATS_PASSWORD: "p1" }),
    ).toMatchObject({
      user: "police",
      password: "p1",
    });
    expect(() => natsSettingsFromEnv({ NATS_URL: "nats://nats:4222", NATS_USER: "police" })).toThrow(
      /NATS_USER and NATS_PASSWORD go together/,
    );
    expect(() => natsSettingsFromEnv({ NATS_URL: "nats://nats:4222", NATS_PASSWORD: "p1" })).toThrow(
      /NATS_USER and NATS_PASSWORD go together/,
    );
  });
});
