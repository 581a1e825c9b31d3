import type { Kysely } from "kysely";
import { createSocialCareCommands } from "./commands.js";
import { createSocialCareReads } from "./reads.js";
import type { SocialCareDatabase } from "./store.js";

export { SOCIAL_CARE_SYSTEM, toLegalStatus, toSocialCareRecord, type SocialCareLoaders } from "./reads.js";

/**
 * The one place social-care data is read and written: resolvers call this, never the store. Reads (per-request
 * loaders, the access policy's facts) and write commands live apart; this joins them into the one service the
 * context hands to resolvers.
 */
export function createSocialCareService(db: Kysely<SocialCareDatabase>, now: () => Date = () => new Date()) {
  return { ...createSocialCareReads(db), ...createSocialCareCommands(db, now) };
}

export type SocialCareService = ReturnType<typeof createSocialCareService>;
