import { Agency, type SubgraphDefinition } from "@safeguarding/kit";
import { createContextFactory, type PoliceContext } from "./context.js";
import { buildPoliceSchema } from "./schema.js";
import { seedPoliceChild, seedPoliceSynthetic } from "./seed.js";
import { policeMigrations, type PoliceDatabase } from "./store.js";

export const policeSubgraph: SubgraphDefinition<PoliceDatabase, PoliceContext> = {
  name: "police",
  agency: Agency.POLICE,
  envPrefix: "POLICE",
  defaultPort: 4001,
  identityDepartment: "Police National Computer and local records",
  migrations: policeMigrations,
  buildSchema: buildPoliceSchema,
  createContextFactory,
  seedChild: seedPoliceChild,
  seedSynthetic: seedPoliceSynthetic,
};
