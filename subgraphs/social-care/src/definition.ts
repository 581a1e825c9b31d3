import { Agency, type SubgraphDefinition } from "@safeguarding/kit";
import { createContextFactory, type SocialCareContext } from "./context.js";
import { buildSocialCareSchema } from "./schema.js";
import { seedSocialCareChild, seedSocialCareSynthetic } from "./seed.js";
import { socialCareMigrations, type SocialCareDatabase } from "./store.js";

export const socialCareSubgraph: SubgraphDefinition<SocialCareDatabase, SocialCareContext> = {
  name: "social-care",
  agency: Agency.SOCIAL_CARE,
  envPrefix: "SOCIAL_CARE",
  defaultPort: 4002,
  identityDepartment: "Children's Services front door (MASH)",
  migrations: socialCareMigrations,
  buildSchema: buildSocialCareSchema,
  createContextFactory,
  seedChild: seedSocialCareChild,
  seedSynthetic: seedSocialCareSynthetic,
};
