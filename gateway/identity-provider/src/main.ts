import { serviceLog } from "@safeguarding/shared/log";
import { identityProviderOptionsFromEnv } from "./config.js";
import { startIdentityProvider } from "./server.js";

const started = Date.now();
const log = serviceLog("identity-provider");
try {
  const running = await startIdentityProvider(identityProviderOptionsFromEnv());
  // scripts/start.mjs, the test cluster and the benchmark wait for this line: keep `event` and `url`.
  log.info({ event: "ready", url: running.url, startMs: Date.now() - started }, "ready");
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(1);
}
