export { startGateway, SUPERGRAPH_PATH, type RunningGateway } from "./start.js";
export { loadGatewayConfig, type GatewayConfig, type AgencyEndpoint } from "./config.js";
export { composeSupergraph, readSubgraphSdls } from "./compose.js";
