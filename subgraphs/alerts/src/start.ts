import type { JWK } from "jose";
import { startSubgraphService, type MetricsExposure, type RunningService } from "@safeguarding/kit";
import { createAssertionVerifier } from "@safeguarding/shared/assertion";
import { defaultDataDir, isProduction } from "@safeguarding/shared/config";
import { DEFAULT_ALERTS_PORT, eventsSecret, type SafeguardingEvent } from "@safeguarding/shared/events";
import { agencyAssertionKeyFromEnv } from "@safeguarding/shared/keys";
import { serviceLog, type Logger } from "@safeguarding/shared/log";
import type { Store } from "@safeguarding/shared/store";
import { createAlertsService, SERVICE, startEscalationTimer, type AlertsService } from "./alerts.js";
import { loadAlertConfigs, type AlertConfigs } from "./config.js";
import { createContextFactory } from "./context.js";
import { eventsRoute } from "./ingest.js";
import { createNotifier, notifySettingsFromEnv, type AlertNotifier, type NotifySettings } from "./notify.js";
import { buildAlertsSchema } from "./schema.js";
import { openAlertsStore, type AlertsDatabase } from "./store.js";

export const DEFAULT_ESCALATION_CHECK_MS = 5_000;

/** Hands each event from a broker to `handle` and acknowledges it only once `handle` resolves (committed). */
export type EventSubscription = (
  handle: (event: SafeguardingEvent) => Promise<void>,
  /** The events secret: a message not signed with it is discarded. */
  secret: JWK,
) => Promise<{ close(): Promise<void> }>;

export interface AlertsStartOptions {
  /** ALERTS_PORT, default 4004; 0 picks a free one. */
  port?: number;
  host?: string;
  /** ALERTS_DATABASE_URL (postgres://); otherwise SQLite <dataDir>/alerts.db. */
  databaseUrl?: string;
  dataDir?: string;
  /** The areas' files; by default loaded from ALERTS_CONFIG_DIR or gateway/protocol/alerts. */
  configs?: AlertConfigs;
  /** The key the gateway MACs this service's assertions with; by default from configuration. */
  assertionKey?: JWK;
  /** The secret events are signed with, on /events and over NATS; by default eventsSecret(dataDir). */
  eventsSecret?: JWK;
  /** The clock of every decision (tests move it). */
  now?: () => Date;
  /** How often the escalation timer looks for deadlines passed (ALERTS_ESCALATION_CHECK_MS); 0 turns it off. */
  escalationCheckMs?: number;
  /** Email; by default from SMTP_URL / NOTIFY_API_KEY (none when neither is set). */
  notify?: NotifySettings;
  retryDelaysMs?: number[];
  /** The NATS consumer, when events come over JetStream: called once at start with handleEvent and the events secret. */
  subscribe?: EventSubscription;
  metrics?: MetricsExposure;
  log?: Logger;
}

export interface RunningAlerts extends RunningService {
  store: Store<AlertsDatabase>;
  alerts: AlertsService;
  notifier: AlertNotifier;
  /** Where agencies POST events: <origin>/events. */
  eventsUrl: string;
}

/**
 * Starts the alerts service: its configuration (a bad area file stops it here), its store and audit chain, the
 * GraphQL subgraph behind the gateway's assertion, /events for the embedded transport, the escalation timer, email,
 * and the NATS subscription when one is given.
 */
export async function startAlertsService(options: AlertsStartOptions = {}): Promise<RunningAlerts> {
  const log = options.log ?? serviceLog(SERVICE);
  const configs = options.configs ?? loadAlertConfigs();
  const dataDir = options.dataDir ?? defaultDataDir();
  const assertionKey = options.assertionKey ?? (await agencyAssertionKeyFromEnv(SERVICE, dataDir, isProduction()));
  const secret = options.eventsSecret ?? (await eventsSecret(dataDir, isProduction()));
  const store = await openAlertsStore({ databaseUrl: options.databaseUrl, dataDir });
  const notifier = createNotifier({
    db: store.db,
    settings: options.notify ?? notifySettingsFromEnv(),
    log,
    retryDelaysMs: options.retryDelaysMs,
    now: options.now,
  });
  const alerts = createAlertsService(store.db, {
    configs,
    now: options.now,
    email: notifier.enabled,
    onRaised: () => notifier.nudge(),
  });
  const handle = async (event: SafeguardingEvent) => {
    await alerts.handleEvent(event);
  };
  let service: RunningService;
  try {
    service = await startSubgraphService({
      verifier: await createAssertionVerifier(assertionKey, SERVICE),
      name: SERVICE,
      federated: buildAlertsSchema(),
      store: store as Store<unknown>,
      createContext: createContextFactory(alerts),
      port: options.port ?? DEFAULT_ALERTS_PORT,
      host: options.host ?? "127.0.0.1",
      metrics: options.metrics,
      routes: { "/events": eventsRoute({ secret, handle, log }) },
    });
  } catch (error) {
    await notifier.close();
    await store.close();
    throw error;
  }
  const checkMs = options.escalationCheckMs ?? DEFAULT_ESCALATION_CHECK_MS;
  const timer =
    checkMs > 0
      ? startEscalationTimer(alerts, checkMs, (error) =>
          log.error({ error: String(error) }, "escalation check failed; the next one tries again"),
        )
      : null;
  let subscription: { close(): Promise<void> } | null = null;
  try {
    subscription = options.subscribe ? await options.subscribe(handle, secret) : null;
  } catch (error) {
    await timer?.stop();
    await service.close();
    await notifier.close();
    await store.close();
    throw error;
  }
  return {
    ...service,
    store,
    alerts,
    notifier,
    eventsUrl: service.url.replace(/\/graphql$/, "/events"),
    async close() {
      await subscription?.close();
      await timer?.stop();
      await service.close();
      await notifier.close();
      await store.close();
    },
  };
}
