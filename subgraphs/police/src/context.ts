import type { Kysely } from "kysely";
import {
  Agency,
  createSubjectRepository,
  type RequestBase,
  type RequestContext,
  type SubjectRepository,
} from "@safeguarding/kit";
import { createPoliceService, POLICE_SYSTEM, type PoliceLoaders, type PoliceService } from "./service.js";
import type { PoliceDatabase } from "./store.js";

export interface PoliceContext extends RequestContext {
  subjects: SubjectRepository;
  police: PoliceService;
  loaders: PoliceLoaders;
  accessFacts: PoliceService["accessFacts"];
}

export function createContextFactory(db: Kysely<PoliceDatabase>) {
  const subjects = createSubjectRepository(db, Agency.POLICE, POLICE_SYSTEM);
  const police = createPoliceService(db);
  return (base: RequestBase): PoliceContext => ({
    ...base,
    subjects,
    police,
    loaders: police.createLoaders(),
    accessFacts: police.accessFacts,
  });
}
