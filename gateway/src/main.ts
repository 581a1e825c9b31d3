import { stopOnSignal } from "@safeguarding/kit";
import { loadGatewayConfig } from "./config.js";
import { startGateway } from "./start.js";

try {
  const config = loadGatewayConfig();
  const running = await startGateway(config);
  console.log(JSON.stringify({ level: "info", event: "ready", service: "gateway", url: running.url }));
  stopOnSignal(() => running.close());
} catch (error) {
  console.error(JSON.stringify({ level: "fatal", service: "gateway", message: (error as Error).message }));
  process.exit(1);
}
