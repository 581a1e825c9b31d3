import { stopOnSignal } from "@safeguarding/kit";
import { serviceLog } from "@safeguarding/shared/log";
import { startTracing, stopTracing, tracingEnabled } from "@safeguarding/shared/tracing";
import { loadGatewayConfig } from "./config.js";
import { startGateway } from "./start.js";

const started = Date.now();
const log = serviceLog("gateway");
try {
  const config = loadGatewayConfig();
  await startTracing("gateway");
  const running = await startGateway(config);
  // scripts/start.mjs, the test cluster and the benchmark wait for this line: keep `event`, `url` and `startMs`.
  const store = config.databaseUrl ? "postgres" : "sqlite";
  log.info(
    {
      event: "ready",
      url: running.url,
      metricsUrl: running.metricsUrl,
      tracing: tracingEnabled(),
      store,
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
