import { identityProviderOptionsFromEnv } from "./config.js";
import { startIdentityProvider } from "./server.js";

try {
  const running = await startIdentityProvider(identityProviderOptionsFromEnv());
  console.log(JSON.stringify({ level: "info", event: "ready", service: "identity-provider", url: running.url }));
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
  console.error(JSON.stringify({ level: "fatal", service: "identity-provider", message: (error as Error).message }));
  process.exit(1);
}
