export { policeSubgraph } from "./definition.js";
export type { PoliceDatabase } from "./store.js";
