import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Query, Resolver } from "type-graphql";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  EVENTS_SIGNATURE_HEADER,
  recordEvent,
  verifyEventBody,
  type OutboxTables,
  type SafeguardingEvent,
} from "@safeguarding/shared/events";
import { agencyAssertionKey } from "@safeguarding/shared/assertion";
import { startSubgraph, type StartOptions, type SubgraphDefinition } from "./app.js";
import { buildFederatedSchema } from "./schema.js";
import type { RequestContext } from "./service.js";
import { subjectsMigration, type SubjectTables } from "./subjects.js";
import { Agency } from "./types.js";

// Decorators applied as calls: decorator syntax in this test file failed to load under vitest here.
class RelayTestResolver {
  relayTestPing(): string {
    return "pong";
  }
}
Query(() => String)(
  RelayTestResolver.prototype,
  "relayTestPing",
  Object.getOwnPropertyDescriptor(RelayTestResolver.prototype, "relayTestPing")!,
);
Resolver()(RelayTestResolver);

/** The smallest agency startSubgraph runs: no tables of its own beyond the subjects, the audit trail and the outbox. */
const definition: SubgraphDefinition<SubjectTables & OutboxTables, RequestContext> = {
  name: "relay-test",
  agency: Agency.POLICE,
  envPrefix: "RELAY_TEST",
  defaultPort: 0,
  identityDepartment: "Test",
  migrations: { "0001_subjects": subjectsMigration },
  buildSchema: () => buildFederatedSchema({ resolvers: [RelayTestResolver] }),
  createContextFactory: () => (base) => base as RequestContext,
  seedChild: async () => undefined,
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function start(events: StartOptions["events"]) {
  const dataDir = mkdtempSync(join(tmpdir(), "relay-kit-test-"));
  dirs.push(dataDir);
  return startSubgraph(definition, {
    port: 0,
    dataDir,
    seedDemo: false,
    assertionKey: agencyAssertionKey({ kty: "oct", k: randomBytes(32).toString("base64url") }, "relay-test"),
    events,
  });
}

const missingReported = () => ({
  kind: "MISSING_REPORTED" as const,
  agency: "POLICE" as const,
  childId: "9990000026",
  area: "Northshire",
  occurredAt: "2026-12-06T21:40:00.000Z",
  summary: "Jayden reported missing",
  data: { episodeId: "ME-1" },
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("an agency's outbox relay, as startSubgraph runs it", () => {
  it("posts the events its store records to the alerts service, signed with the events secret", async () => {
    const secret = { kty: "oct", k: randomBytes(32).toString("base64url") };
    const received: SafeguardingEvent[] = [];
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const signed = verifyEventBody(secret, body, request.headers[EVENTS_SIGNATURE_HEADER] as string);
        if (signed) received.push(...(JSON.parse(body) as SafeguardingEvent[]));
        response.writeHead(signed ? 200 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const httpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const running = await start({ nats: null, httpUrl, secret, intervalMs: 20 });
    try {
      expect(running.events).not.toBeNull();
      const event = await running.store.db.transaction().execute((trx) => recordEvent(trx, missingReported()));
      await waitFor(() => received.length === 1);
      expect(received).toEqual([event]);
    } finally {
      await running.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("starts, and closes, while the alerts service is not listening", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const running = await start({
      nats: null,
      httpUrl: `http://127.0.0.1:${port}/events`,
      secret: { kty: "oct", k: randomBytes(32).toString("base64url") },
      intervalMs: 20,
    });
    await recordEvent(running.store.db, missingReported());
    await waitFor(async () => {
      const row = await running.store.db.selectFrom("outbox").select("attempts").executeTakeFirstOrThrow();
      return row.attempts >= 1;
    });
    await running.close();
  });

  it("runs no relay with events: false", async () => {
    const running = await start(false);
    try {
      expect(running.events).toBeNull();
    } finally {
      await running.close();
    }
  });
});

describe("an agency's background task, as startSubgraph runs it", () => {
  function startWith(
    background: SubgraphDefinition<SubjectTables & OutboxTables, RequestContext>["background"],
    run = true,
  ) {
    const dataDir = mkdtempSync(join(tmpdir(), "background-kit-test-"));
    dirs.push(dataDir);
    return startSubgraph(
      { ...definition, background },
      {
        port: 0,
        dataDir,
        seedDemo: false,
        assertionKey: agencyAssertionKey({ kty: "oct", k: randomBytes(32).toString("base64url") }, "relay-test"),
        events: false,
        background: run,
      },
    );
  }

  it("starts it on the migrated store and stops it on close, before the store closes", async () => {
    const steps: string[] = [];
    const running = await startWith((db, context) => {
      expect(typeof context.eventsRecorded).toBe("function");
      steps.push("started");
      return {
        async stop() {
          // The store is still open while the task stops: a pass in progress may finish its transaction.
          await db.selectFrom("outbox").select("id").execute();
          steps.push("stopped");
        },
      };
    });
    expect(steps).toEqual(["started"]);
    await running.close();
    expect(steps).toEqual(["started", "stopped"]);
  });

  it("does not start it with background: false, and a throw stops start-up", async () => {
    const started = vi.fn(() => ({ stop: async () => undefined }));
    await (await startWith(started, false)).close();
    expect(started).not.toHaveBeenCalled();
    await expect(
      startWith(() => {
        throw new Error("bad setting");
      }),
    ).rejects.toThrow("bad setting");
  });
});
