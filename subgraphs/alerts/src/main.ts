import "reflect-metadata";
import { metricsExposureFromEnv, stopOnSignal } from "@safeguarding/kit";
import { intFromEnv, isProduction } from "@safeguarding/shared/config";
import { DEFAULT_ALERTS_PORT, natsSettingsFromEnv } from "@safeguarding/shared/events";
import { consumeEvents } from "@safeguarding/shared/nats";
import { serviceLog } from "@safeguarding/shared/log";
import { startTracing, stopTracing, tracingEnabled } from "@safeguarding/shared/tracing";
import { SERVICE } from "./alerts.js";
import { DEFAULT_ESCALATION_CHECK_MS, startAlertsService } from "./start.js";

/** The process entry point, as runSubgraphMain is for the agencies: configuration from the environment. */
const started = Date.now();
const log = serviceLog(SERVICE);
// With NATS_URL the agencies publish to JetStream and this service consumes as the durable "alerts" (acknowledging
// each message only once its alerts are committed); /events stays open for the embedded transport either way.
const nats = natsSettingsFromEnv();
try {
  await startTracing(SERVICE);
  const running = await startAlertsService({
    port: intFromEnv("ALERTS_PORT", DEFAULT_ALERTS_PORT),
    host: process.env.HOST ?? "127.0.0.1",
    databaseUrl: process.env.ALERTS_DATABASE_URL || undefined,
    escalationCheckMs: intFromEnv("ALERTS_ESCALATION_CHECK_MS", DEFAULT_ESCALATION_CHECK_MS),
    metrics: metricsExposureFromEnv(isProduction()),
    log,
    // The relays sign each message with the events secret; one that does not verify is discarded.
    subscribe: nats
      ? async (handle, secret) => consumeEvents(nats, { durable: "alerts", handle, log, secret })
      : undefined,
  });
  // scripts/start.mjs and the test cluster wait for this line: keep `event`, `url` and `startMs`.
  log.info(
    {
      event: "ready",
      url: running.url,
      eventsUrl: running.eventsUrl,
      metricsUrl: running.metricsUrl,
      tracing: tracingEnabled(),
      store: running.store.dialect,
      events: nats ? "nats" : "http",
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
