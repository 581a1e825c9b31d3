import { buildFederatedSchema, createSubjectQueries } from "@safeguarding/kit";
import { Child } from "./entities.js";
import { ChildHealthResolver, HealthMutationResolver, HealthRecordResolver } from "./resolvers.js";

export function buildHealthSchema() {
  return buildFederatedSchema({
    resolvers: [ChildHealthResolver, HealthRecordResolver, HealthMutationResolver, createSubjectQueries("health")],
    orphanedTypes: [Child],
    referenceResolvers: { Child: (reference) => ({ id: reference.id }) },
  });
}
