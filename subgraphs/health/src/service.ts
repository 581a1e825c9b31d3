import type { Kysely } from "kysely";
import { createHealthCommands } from "./commands.js";
import { createHealthReads } from "./reads.js";
import type { HealthDatabase } from "./store.js";

export {
  CAMHS_SYSTEM,
  DIRECTORY_SYSTEM,
  GP_SYSTEM,
  HEALTH_SYSTEM,
  toCamhsReferral,
  toMentalHealthAssessment,
  type HealthLoaders,
} from "./reads.js";
export {
  CAMHS_ACCESS_TEAM,
  type RecordCamhsReferral,
  type RequestMentalHealthAssessment,
  type UpdateMentalHealthAssessment,
} from "./commands.js";

/**
 * The one place health data is read and written: resolvers call this, never the store. Reads (per-request loaders,
 * one assessment by id) and write commands live apart; this joins them into the one service the context hands to
 * resolvers.
 */
export function createHealthService(db: Kysely<HealthDatabase>, now: () => Date = () => new Date()) {
  return { ...createHealthReads(db), ...createHealthCommands(db, now) };
}

export type HealthService = ReturnType<typeof createHealthService>;
