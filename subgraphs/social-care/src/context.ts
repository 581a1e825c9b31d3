import type { Kysely } from "kysely";
import {
  Agency,
  createSubjectRepository,
  type RequestBase,
  type RequestContext,
  type RequestSubjects,
} from "@safeguarding/kit";
import {
  createSocialCareService,
  SOCIAL_CARE_SYSTEM,
  type SocialCareLoaders,
  type SocialCareService,
} from "./service.js";
import type { SocialCareDatabase } from "./store.js";

export interface SocialCareContext extends RequestContext {
  /** This request's view of the agency's subject rows: each read once. */
  subjects: RequestSubjects;
  socialCare: SocialCareService;
  loaders: SocialCareLoaders;
  accessFacts: SocialCareService["accessFacts"];
  protocolWatch: SocialCareService["protocolWatch"];
}

export function createContextFactory(db: Kysely<SocialCareDatabase>) {
  const subjects = createSubjectRepository(db, Agency.SOCIAL_CARE, SOCIAL_CARE_SYSTEM);
  const socialCare = createSocialCareService(db);
  return (base: RequestBase): SocialCareContext => ({
    ...base,
    subjects: subjects.forRequest(),
    socialCare,
    loaders: socialCare.createLoaders(),
    accessFacts: socialCare.accessFacts,
    protocolWatch: socialCare.protocolWatch,
  });
}
