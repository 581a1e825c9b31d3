import type { Kysely } from "kysely";
import {
  Agency,
  createSubjectRepository,
  type RequestBase,
  type RequestContext,
  type RequestSubjects,
} from "@safeguarding/kit";
import { createHealthService, HEALTH_SYSTEM, type HealthLoaders, type HealthService } from "./service.js";
import type { HealthDatabase } from "./store.js";

export interface HealthContext extends RequestContext {
  /** This request's view of the agency's subject rows: each read once. */
  subjects: RequestSubjects;
  health: HealthService;
  loaders: HealthLoaders;
  protocolWatch: HealthService["protocolWatch"];
}

export function createContextFactory(db: Kysely<HealthDatabase>) {
  const subjects = createSubjectRepository(db, Agency.HEALTH, HEALTH_SYSTEM);
  const health = createHealthService(db);
  return (base: RequestBase): HealthContext => ({
    ...base,
    subjects: subjects.forRequest(),
    health,
    loaders: health.createLoaders(),
    protocolWatch: health.protocolWatch,
  });
}
