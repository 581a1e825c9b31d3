export { socialCareSubgraph } from "./definition.js";
export type { SocialCareDatabase } from "./store.js";
