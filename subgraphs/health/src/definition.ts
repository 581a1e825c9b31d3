import { Agency, type SubgraphDefinition } from "@safeguarding/kit";
import { loadProtocolConfigs } from "@safeguarding/protocol-engine";
import { escalationWatchSettings } from "./config.js";
import { createContextFactory, type HealthContext } from "./context.js";
import { createEscalationWatch } from "./escalation-watch.js";
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
  // A bad protocol file stops health at start, naming the file and field, as it stops the gateway.
  background(db, { log, eventsRecorded }) {
    const settings = escalationWatchSettings();
    const watch = createEscalationWatch({
      db,
      configs: loadProtocolConfigs(settings.protocolConfigDir),
      log,
      onRaised: eventsRecorded,
    });
    watch.start(settings.intervalMs);
    return watch;
  },
};
