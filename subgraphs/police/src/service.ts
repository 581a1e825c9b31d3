import type { Kysely } from "kysely";
import { createPoliceCommands } from "./commands.js";
import { createPoliceReads } from "./reads.js";
import type { PoliceDatabase } from "./store.js";

export { POLICE_SYSTEM, toMissingEpisode, type PoliceLoaders } from "./reads.js";
export type { RecordFound, RecordSeniorManagerNotification, ReportMissing } from "./commands.js";

/**
 * The one place police data is read and written: resolvers call this, never the store. Reads (per-request loaders,
 * the access policy's facts) and write commands live apart; this joins them into the one service the context hands
 * to resolvers.
 */
export function createPoliceService(db: Kysely<PoliceDatabase>, now: () => Date = () => new Date()) {
  return { ...createPoliceReads(db), ...createPoliceCommands(db, now) };
}

export type PoliceService = ReturnType<typeof createPoliceService>;
