import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { defaultDataDir, intFromEnv } from "@safeguarding/shared/config";
import { DEMO_CHILDREN, dateOfBirth, type DemoChild } from "./demo.js";
import type { FederatedSchema } from "./schema.js";
import {
  startSubgraphService,
  stopOnSignal,
  type RequestBase,
  type RequestContext,
  type RunningService,
} from "./service.js";
import type { JWK } from "jose";
import { createAssertionVerifier } from "@safeguarding/shared/assertion";
import { agencyAssertionKeyFromEnv } from "@safeguarding/shared/keys";
import { auditMigration } from "@safeguarding/shared/audit";
import {
  alertsEventsUrl,
  eventsSecret,
  natsSettingsFromEnv,
  outboxMigration,
  type NatsSettings,
} from "@safeguarding/shared/events";
import { natsEventPublisher } from "@safeguarding/shared/nats";
import { httpEventPublisher, startRelay, type Relay } from "@safeguarding/shared/outbox";
import { isProduction } from "@safeguarding/shared/config";
import { serviceLog, type Logger } from "@safeguarding/shared/log";
import { startTracing, stopTracing, tracingEnabled } from "@safeguarding/shared/tracing";
import { metricsExposureFromEnv, type MetricsExposure } from "./http.js";
import { openStore, type Store } from "@safeguarding/shared/store";
import { insertSubjects, type SubjectTable, type SubjectTables } from "./subjects.js";
import type { Agency } from "./types.js";

/** What makes one agency's subgraph: every agency fills in the same shape, and this file runs it. */
export interface SubgraphDefinition<DB extends SubjectTables, TContext extends RequestContext> {
  /** Short name used for files and logs: "police". */
  name: string;
  agency: Agency;
  /** Prefix of its environment variables: POLICE_PORT, POLICE_DATABASE_URL. */
  envPrefix: string;
  defaultPort: number;
  /** The department that holds the agency's record of who a child is. */
  identityDepartment: string;
  migrations: Record<string, Migration>;
  buildSchema(): FederatedSchema;
  createContextFactory(db: Kysely<DB>): (base: RequestBase, request: IncomingMessage) => TContext;
  /** Adds this agency's facts about one demo child; `now` anchors every relative date. */
  seedChild(db: Kysely<DB>, child: DemoChild, now: Date): Promise<void>;
  /** Adds a small, varied record for one synthetic child (scale runs). */
  seedSynthetic?(db: Kysely<DB>, children: readonly DemoChild[], now: Date, random: () => number): Promise<void>;
  /**
   * Work the agency does on its own, not in answer to a request (health's escalation watch: events that fall due as
   * time passes). Started once the store is migrated and seeded, before the service listens; a throw stops start-up
   * (a bad setting, say). stop() is awaited on close, after the service and before the relay and the store, so a pass
   * in progress finishes and the events it recorded stay in the outbox for the next start if the relay has not sent
   * them. Left out by agencies with nothing to do between requests.
   */
  background?(db: Kysely<DB>, context: BackgroundContext): BackgroundTask;
}

export interface BackgroundContext {
  log: Logger;
  /** Wakes the outbox relay after the task recorded events, as a write does after a mutation. */
  eventsRecorded(): void;
}

export interface BackgroundTask {
  stop(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  databaseUrl?: string;
  dataDir?: string;
  /** Load demo data into an empty store (default true). */
  seedDemo?: boolean;
  /** This agency's key for the gateway's assertions; by default from configuration (see agencyAssertionKeyFromEnv). */
  assertionKey?: JWK;
  /** Where /metrics is served; nowhere when absent. */
  metrics?: MetricsExposure;
  /**
   * Where the relay carries the events this agency's writes record (docs/ALERTS.md). Left out: NATS JetStream when
   * NATS_URL is set, else a signed POST to ALERTS_EVENTS_URL. false: no relay (events wait in the outbox).
   */
  events?: EventTransportOptions | false;
  /** Run the definition's background task, if it has one (default true); false for tests that drive it themselves. */
  background?: boolean;
}

export interface EventTransportOptions {
  /** The broker; null sends events over HTTP whatever NATS_URL says. Left out: natsSettingsFromEnv(). */
  nats?: NatsSettings | null;
  /** The alerts service's events endpoint, when over HTTP; by default alertsEventsUrl(). */
  httpUrl?: string;
  /** The events secret either transport signs with; by default eventsSecret() (EVENTS_SECRET_FILE in production). */
  secret?: JWK;
  /** How often the relay looks for waiting events between writes (it is nudged after each mutation anyway). */
  intervalMs?: number;
}

export interface RunningSubgraph<DB> extends RunningService {
  store: Store<DB>;
  /** The outbox relay; null when started with `events: false`. */
  events: Relay | null;
}

export function subjectRow(child: DemoChild, now: Date, department: string): SubjectTable {
  return {
    nhs_number: child.nhsNumber,
    given_name: child.givenName,
    family_name: child.familyName,
    known_as: child.knownAs,
    date_of_birth: dateOfBirth(child, now),
    area: child.area,
    department,
    recorded_at: now.toISOString(),
    recorded_by: "Demo data loader",
  };
}

export async function seedDemoData<DB extends SubjectTables, C extends RequestContext>(
  definition: SubgraphDefinition<DB, C>,
  db: Kysely<DB>,
  now = new Date(),
): Promise<boolean> {
  const existing = await (db as unknown as Kysely<SubjectTables>)
    .selectFrom("subjects")
    .select("nhs_number")
    .limit(1)
    .execute();
  if (existing.length > 0) return false;
  const children = DEMO_CHILDREN.filter((child) => child.knownTo.includes(definition.agency));
  await db.transaction().execute(async (trx) => {
    await insertSubjects(
      trx as unknown as Kysely<SubjectTables>,
      children.map((child) => subjectRow(child, now, definition.identityDepartment)),
    );
    for (const child of children) await definition.seedChild(trx, child, now);
  });
  return true;
}

export async function openSubgraphStore<DB extends SubjectTables, C extends RequestContext>(
  definition: SubgraphDefinition<DB, C>,
  options: Pick<StartOptions, "databaseUrl" | "dataDir">,
): Promise<Store<DB>> {
  return openStore<DB>({
    name: definition.name,
    databaseUrl: options.databaseUrl,
    sqlitePath: join(options.dataDir ?? defaultDataDir(), `${definition.name}.db`),
    // Every agency keeps its own audit trail in its own store, after its own tables, and its own outbox of the
    // events its writes raise (docs/ALERTS.md).
    migrations: { ...definition.migrations, "900_audit_log": auditMigration, "910_outbox": outboxMigration },
  });
}

/**
 * Starts a service's outbox relay on its store: every agency's, and the gateway's for its protocol watch. The
 * transport's settings are read here, at start, so a production service without EVENTS_SECRET_FILE (and no NATS_URL)
 * stops with that message rather than failing every event later; a broker or alerts service that is down is only
 * retried.
 */
export async function startEventRelay<DB>(
  name: string,
  store: Store<DB>,
  options: Pick<StartOptions, "events" | "dataDir">,
): Promise<Relay | null> {
  if (options.events === false) return null;
  const events = options.events ?? {};
  const log = serviceLog(name);
  const nats = events.nats === undefined ? natsSettingsFromEnv() : events.nats;
  // Either transport signs what it carries with the events secret.
  const secret = events.secret ?? (await eventsSecret(options.dataDir ?? defaultDataDir(), isProduction()));
  const publisher = nats
    ? natsEventPublisher(nats, log, secret)
    : httpEventPublisher({ url: events.httpUrl ?? alertsEventsUrl(), secret });
  return startRelay({ db: store.db as Kysely<any>, publisher, log, service: name, intervalMs: events.intervalMs });
}

export async function startSubgraph<DB extends SubjectTables, C extends RequestContext>(
  definition: SubgraphDefinition<DB, C>,
  options: StartOptions = {},
): Promise<RunningSubgraph<DB>> {
  const store = await openSubgraphStore(definition, options);
  if (options.seedDemo !== false) await seedDemoData(definition, store.db);
  const createContext = definition.createContextFactory(store.db);
  const assertionKey =
    options.assertionKey ??
    (await agencyAssertionKeyFromEnv(definition.name, options.dataDir ?? defaultDataDir(), isProduction()));
  const relay = await startEventRelay(definition.name, store, options);
  let background: BackgroundTask | undefined;
  let service: RunningService;
  try {
    if (options.background !== false)
      background = definition.background?.(store.db, {
        log: serviceLog(definition.name),
        eventsRecorded: () => relay?.nudge(),
      });
    service = await startSubgraphService({
      verifier: await createAssertionVerifier(assertionKey, definition.name),
      name: definition.name,
      federated: definition.buildSchema(),
      store: store as Store<unknown>,
      createContext,
      port: options.port ?? definition.defaultPort,
      host: options.host ?? "127.0.0.1",
      metrics: options.metrics,
      // An event a write recorded leaves now rather than at the relay's next look.
      onWrite: () => relay?.nudge(),
    });
  } catch (error) {
    // A port in use, say: neither the background task nor the relay may go on using a store nobody will close.
    await background?.stop();
    await relay?.close();
    throw error;
  }
  return {
    ...service,
    store,
    events: relay,
    async close() {
      await service.close();
      // After the service and the background task (nothing can record another event) and before the store (a pass
      // in progress finishes).
      await background?.stop();
      await relay?.close();
      await store.close();
    },
  };
}

/** The process entry point of every subgraph: configuration from the environment, a "ready" log line when up. */
export async function runSubgraphMain<DB extends SubjectTables, C extends RequestContext>(
  definition: SubgraphDefinition<DB, C>,
): Promise<void> {
  const started = Date.now();
  const log = serviceLog(definition.name);
  try {
    await startTracing(definition.name);
    const running = await startSubgraph(definition, {
      port: intFromEnv(`${definition.envPrefix}_PORT`, definition.defaultPort),
      host: process.env.HOST ?? "127.0.0.1",
      databaseUrl: process.env[`${definition.envPrefix}_DATABASE_URL`] || undefined,
      seedDemo: process.env.SEED_DEMO !== "false",
      metrics: metricsExposureFromEnv(isProduction()),
    });
    // scripts/start.mjs, the test cluster and the benchmark wait for this line: keep `event`, `url` and `startMs`.
    log.info(
      {
        event: "ready",
        url: running.url,
        metricsUrl: running.metricsUrl,
        tracing: tracingEnabled(),
        store: running.store.dialect,
        events: running.events ? (natsSettingsFromEnv() ? "nats" : "http") : "off",
        startMs: Date.now() - started,
      },
      "ready",
    );
    stopOnSignal(async () => {
      await running.close();
      await stopTracing();
    }, log);
  } catch (error) {
    log.fatal((error as Error).message);
    process.exit(1);
  }
}

/** Writes the subgraph's SDL at build time; the gateway build composes the supergraph from these files. */
export function writeSubgraphSdl<DB extends SubjectTables, C extends RequestContext>(
  definition: SubgraphDefinition<DB, C>,
  target: URL,
): void {
  mkdirSync(new URL(".", target), { recursive: true });
  writeFileSync(target, definition.buildSchema().sdl);
}
