import type { Kysely } from "kysely";
import {
  Agency,
  createSubjectRepository,
  type RequestBase,
  type RequestContext,
  type SubjectRepository,
} from "@safeguarding/kit";
import {
  createSocialCareService,
  SOCIAL_CARE_SYSTEM,
  type SocialCareLoaders,
  type SocialCareService,
} from "./service.js";
import type { SocialCareDatabase } from "./store.js";

export interface SocialCareContext extends RequestContext {
  subjects: SubjectRepository;
  socialCare: SocialCareService;
  loaders: SocialCareLoaders;
  accessFacts: SocialCareService["accessFacts"];
}

export function createContextFactory(db: Kysely<SocialCareDatabase>) {
  const subjects = createSubjectRepository(db, Agency.SOCIAL_CARE, SOCIAL_CARE_SYSTEM);
  const socialCare = createSocialCareService(db);
  return (base: RequestBase): SocialCareContext => ({
    ...base,
    subjects,
    socialCare,
    loaders: socialCare.createLoaders(),
    accessFacts: socialCare.accessFacts,
  });
}
