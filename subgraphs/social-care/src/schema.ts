import { buildFederatedSchema, createSubjectQueries } from "@safeguarding/kit";
import { Child } from "./entities.js";
import { ChildSocialCareResolver, SocialCareMutationResolver, SocialCareRecordResolver } from "./resolvers.js";

export function buildSocialCareSchema() {
  return buildFederatedSchema({
    resolvers: [
      ChildSocialCareResolver,
      SocialCareRecordResolver,
      SocialCareMutationResolver,
      createSubjectQueries("socialCare"),
    ],
    orphanedTypes: [Child],
    referenceResolvers: { Child: (reference) => ({ id: reference.id }) },
  });
}
