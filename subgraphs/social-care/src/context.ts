import type { Kysely } from "kysely";
import { Agency, createSubjectRepository, type RequestContext, type SubjectRepository } from "@safeguarding/kit";
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
}

export function createContextFactory(db: Kysely<SocialCareDatabase>) {
  const subjects = createSubjectRepository(db, Agency.SOCIAL_CARE, SOCIAL_CARE_SYSTEM);
  const socialCare = createSocialCareService(db);
  return (requestId: string): SocialCareContext => ({
    requestId,
    subjects,
    socialCare,
    loaders: socialCare.createLoaders(),
  });
}
