import type { Kysely } from "kysely";
import {
  Agency,
  createSubjectRepository,
  type RequestBase,
  type RequestContext,
  type RequestSubjects,
} from "@safeguarding/kit";
import { createPoliceService, POLICE_SYSTEM, type PoliceLoaders, type PoliceService } from "./service.js";
import type { PoliceDatabase } from "./store.js";

export interface PoliceContext extends RequestContext {
  /** This request's view of the agency's subject rows: each read once. */
  subjects: RequestSubjects;
  police: PoliceService;
  loaders: PoliceLoaders;
  accessFacts: PoliceService["accessFacts"];
  protocolWatch: PoliceService["protocolWatch"];
}

export function createContextFactory(db: Kysely<PoliceDatabase>) {
  const subjects = createSubjectRepository(db, Agency.POLICE, POLICE_SYSTEM);
  const police = createPoliceService(db);
  return (base: RequestBase): PoliceContext => ({
    ...base,
    subjects: subjects.forRequest(),
    police,
    loaders: police.createLoaders(),
    accessFacts: (nhsNumbers) => police.accessFacts(nhsNumbers),
    protocolWatch: police.protocolWatch,
  });
}
