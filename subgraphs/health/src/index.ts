export { healthSubgraph } from "./definition.js";
export type { HealthDatabase } from "./store.js";
