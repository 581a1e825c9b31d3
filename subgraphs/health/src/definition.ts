import { Agency, type SubgraphDefinition } from "@safeguarding/kit";
import { createContextFactory, type HealthContext } from "./context.js";
import { buildHealthSchema } from "./schema.js";
import { seedHealthChild, seedHealthSynthetic } from "./seed.js";
import { healthMigrations, type HealthDatabase } from "./store.js";

export const healthSubgraph: SubgraphDefinition<HealthDatabase, HealthContext> = {
  name: "health",
  agency: Agency.HEALTH,
  envPrefix: "HEALTH",
  defaultPort: 4003,
  identityDepartment: "NHS Spine demographics (PDS) via the GP record",
  migrations: healthMigrations,
  buildSchema: buildHealthSchema,
  createContextFactory,
  seedChild: seedHealthChild,
  seedSynthetic: seedHealthSynthetic,
};
