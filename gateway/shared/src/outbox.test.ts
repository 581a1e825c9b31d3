import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  EVENTS_SIGNATURE_HEADER,
  outboxMigration,
  recordEvent,
  verifyEventBody,
  type NewEvent,
  type OutboxTables,
  type SafeguardingEvent,
} from "./events.js";
import { createRootLogger, type Logger } from "./log.js";
import { metricsText } from "./metrics.js";
import { describeFailure, EventPublishError, httpEventPublisher, startRelay, type EventPublisher } from "./outbox.js";
import { openStore } from "./store.js";
import { storeTestBackends, type TestStore } from "./store-testing.js";

const migrations = { "910_outbox": outboxMigration };
const backends = storeTestBackends<OutboxTables>("outbox", ({ dataDir, databaseUrl }) =>
  openStore<OutboxTables>({ name: "outbox", databaseUrl, sqlitePath: join(dataDir, "outbox.db"), migrations }),
);

let sequence = 0;
/** An event recorded a millisecond after the previous one, so "oldest first" has one right answer. */
function missingReported(): NewEvent {
  sequence += 1;
  return {
    kind: "MISSING_REPORTED",
    agency: "POLICE",
    childId: "9990000026",
    area: "Northshire",
    occurredAt: "2026-12-06T21:40:00.000Z",
    recordedAt: new Date(Date.UTC(2026, 11, 6, 22, 0, 0) + sequence).toISOString(),
    summary: `Jayden reported missing (${sequence})`,
    data: { episodeId: `ME-${sequence}`, riskLevel: "HIGH" },
  };
}

function testLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createRootLogger({ write: (line: string) => lines.push(JSON.parse(line)) }, "info").child({
    service: "outbox-test",
  });
  return { log, lines };
}

/** The relay under test hands its events here; `failures` makes the next that many publishes fail. */
function collectingPublisher(failures = 0) {
  const received: SafeguardingEvent[] = [];
  let remaining = failures;
  let closed = false;
  const publisher: EventPublisher = {
    async publish(events) {
      if (remaining > 0) {
        remaining -= 1;
        throw new Error("broker unavailable at nats://user:secret@broker.internal:4222");
      }
      received.push(...events);
    },
    async close() {
      closed = true;
    },
  };
  return { publisher, received, isClosed: () => closed };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(backends)("outbox relay on $name", (backend) => {
  let opened: TestStore<OutboxTables>;
  let db: Kysely<OutboxTables>;

  beforeAll(async () => {
    opened = await backend.open();
    db = opened.store.db;
  });
  afterAll(async () => opened?.cleanup());
  beforeEach(async () => {
    await db.deleteFrom("outbox").execute();
  });

  it("records no event when the transaction that wrote it is rolled back", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await recordEvent(trx, missingReported());
        throw new Error("the fact could not be written");
      }),
    ).rejects.toThrow("the fact could not be written");
    expect(await db.selectFrom("outbox").selectAll().execute()).toEqual([]);
  });

  it("publishes waiting rows oldest first and marks each one published", async () => {
    const recorded: SafeguardingEvent[] = [];
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 7; i++) recorded.push(await recordEvent(trx, missingReported()));
    });
    const { publisher, received } = collectingPublisher();
    const { log } = testLog();
    const relay = startRelay({ db, publisher, log, intervalMs: 20, batchSize: 3 });
    try {
      await waitFor(() => received.length === 7);
      expect(received.map((e) => e.id)).toEqual(recorded.map((e) => e.id));
      expect(received).toEqual(recorded);
      await waitFor(async () => {
        const rows = await db.selectFrom("outbox").select(["published_at", "attempts"]).execute();
        return rows.every((row) => row.published_at !== null && row.attempts === 0);
      });
      // Nothing is published twice once marked.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toHaveLength(7);
    } finally {
      await relay.close();
    }
  });

  it("keeps events through failures: each is published once it can be, attempts counted, one log line per outage", async () => {
    const { publisher, received } = collectingPublisher(3);
    const { log, lines } = testLog();
    const first = await recordEvent(db, missingReported());
    const second = await recordEvent(db, missingReported());
    const relay = startRelay({ db, publisher, log, intervalMs: 10, maxBackoffMs: 50 });
    try {
      await waitFor(() => received.length === 2);
      expect(received.map((e) => e.id)).toEqual([first.id, second.id]);
      // The publisher has the events before the relay marks them: wait for the marks.
      await waitFor(
        async () =>
          (await db.selectFrom("outbox").select("id").where("published_at", "is", null).execute()).length === 0,
      );
      const rows = await db.selectFrom("outbox").selectAll().orderBy("created_at").execute();
      expect(rows.map((r) => r.attempts)).toEqual([3, 3]);
      expect(rows.every((r) => r.published_at !== null)).toBe(true);
      // What an operator reads in the table: the reason, without the broker's address or its credentials.
      expect(rows[0].last_error).toContain("broker unavailable");
      expect(rows[0].last_error).not.toContain("secret");
      const warnings = lines.filter((l) => l.message === "events cannot be published");
      expect(warnings).toHaveLength(1);
      await waitFor(() => lines.some((l) => l.message === "events are being published again"));
      expect(lines.find((l) => l.message === "events are being published again")).toMatchObject({ failedPasses: 3 });
      const metrics = (await metricsText()).body;
      expect(metrics).toMatch(/safeguarding_events_published_total\{service="outbox-test",outcome="failed"\} \d+/);
      expect(metrics).toMatch(/safeguarding_outbox_waiting\{service="outbox-test"\} 0/);
    } finally {
      await relay.close();
    }
  });

  it("marks the events a publisher confirmed before it failed, and sends the rest after them", async () => {
    const recorded = [];
    for (let i = 0; i < 4; i++) recorded.push(await recordEvent(db, missingReported()));
    const received: SafeguardingEvent[] = [];
    let failedOnce = false;
    const publisher: EventPublisher = {
      async publish(events) {
        for (const [index, event] of events.entries()) {
          if (!failedOnce && index === 2) {
            failedOnce = true;
            throw new EventPublishError("the broker did not confirm an event", index);
          }
          received.push(event);
        }
      },
      async close() {},
    };
    const relay = startRelay({ db, publisher, log: testLog().log, intervalMs: 10, maxBackoffMs: 20 });
    try {
      await relay.drain().catch(() => undefined);
      await relay.drain();
      expect(received.map((e) => e.id)).toEqual(recorded.map((e) => e.id));
      const rows = await db.selectFrom("outbox").select(["id", "attempts"]).orderBy("created_at").execute();
      expect(rows.map((r) => r.attempts)).toEqual([0, 0, 1, 1]);
    } finally {
      await relay.close();
    }
  });

  it("stops on close(): the publisher is closed and a row written afterwards stays waiting", async () => {
    const { publisher, received, isClosed } = collectingPublisher();
    const relay = startRelay({ db, publisher, log: testLog().log, intervalMs: 10 });
    await recordEvent(db, missingReported());
    await relay.drain();
    expect(received).toHaveLength(1);
    await relay.close();
    expect(isClosed()).toBe(true);
    await recordEvent(db, missingReported());
    relay.nudge();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(1);
    expect(await db.selectFrom("outbox").select("id").where("published_at", "is", null).execute()).toHaveLength(1);
  });

  it("posts signed batches to the alerts service over HTTP, and sends a batch again after a 500", async () => {
    const secret = { kty: "oct", k: randomBytes(32).toString("base64url") };
    const accepted: SafeguardingEvent[] = [];
    let answers = [500];
    let badSignatures = 0;
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (!verifyEventBody(secret, body, request.headers[EVENTS_SIGNATURE_HEADER] as string | undefined)) {
          badSignatures += 1;
          response.writeHead(401).end();
          return;
        }
        const status = answers.shift() ?? 200;
        if (status === 200) accepted.push(...(JSON.parse(body) as SafeguardingEvent[]));
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const recorded = [await recordEvent(db, missingReported()), await recordEvent(db, missingReported())];
    const relay = startRelay({
      db,
      publisher: httpEventPublisher({ url, secret }),
      log: testLog().log,
      intervalMs: 10,
      maxBackoffMs: 50,
    });
    try {
      await waitFor(() => accepted.length === 2);
      expect(accepted).toEqual(recorded);
      expect(badSignatures).toBe(0);
      // The server has the events before the relay has its answer: wait for the relay to mark them.
      const published = async () =>
        (await db.selectFrom("outbox").select("id").where("published_at", "is", null).execute()).length === 0;
      await waitFor(published);
      const rows = await db.selectFrom("outbox").selectAll().orderBy("created_at").execute();
      expect(rows.map((r) => [r.attempts, r.published_at !== null])).toEqual([
        [1, true],
        [1, true],
      ]);
      expect(rows[0].last_error).toBe("the alerts service answered 500; the batch will be sent again");

      // A sender without the secret is refused, and that refusal is a failure the relay retries, never a success.
      const forger = httpEventPublisher({ url, secret: { kty: "oct", k: randomBytes(32).toString("base64url") } });
      answers = [];
      await expect(forger.publish(recorded)).rejects.toThrow("answered 401");
      expect(badSignatures).toBe(1);
    } finally {
      await relay.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("waits quietly while the alerts service is not listening: one warning, attempts counted, nothing thrown", async () => {
    const { log, lines } = testLog();
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const secret = { kty: "oct", k: randomBytes(32).toString("base64url") };
    await recordEvent(db, missingReported());
    const relay = startRelay({
      db,
      publisher: httpEventPublisher({ url: `http://127.0.0.1:${closedPort}/events`, secret }),
      log,
      intervalMs: 10,
      maxBackoffMs: 30,
    });
    try {
      await waitFor(async () => {
        const row = await db.selectFrom("outbox").select("attempts").executeTakeFirstOrThrow();
        return row.attempts >= 3;
      });
      const row = await db.selectFrom("outbox").selectAll().executeTakeFirstOrThrow();
      expect(row.published_at).toBeNull();
      expect(row.last_error).toBe("the alerts service could not be reached (ECONNREFUSED)");
      expect(lines.filter((l) => l.level === "warn" || l.level === "error")).toHaveLength(1);
    } finally {
      await relay.close();
    }
  });
});

describe("describeFailure", () => {
  it("keeps the reason and drops addresses, which may carry credentials", () => {
    expect(describeFailure(new Error("connect to nats://relay:hunter2@10.0.0.5:4222 refused"))).toBe(
      "connect to <address> refused",
    );
    expect(describeFailure(new Error("x".repeat(500)))).toHaveLength(200);
  });
});
