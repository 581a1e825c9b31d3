import { buildFederatedSchema } from "@safeguarding/kit";
import { Child } from "./entities.js";
import { AlertResolver, ChildAlertsResolver } from "./resolvers.js";

export function buildAlertsSchema() {
  return buildFederatedSchema({
    resolvers: [AlertResolver, ChildAlertsResolver],
    orphanedTypes: [Child],
    referenceResolvers: { Child: (reference) => ({ id: reference.id }) },
  });
}
