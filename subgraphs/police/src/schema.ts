import { buildFederatedSchema, createSubjectQueries } from "@safeguarding/kit";
import { Child } from "./entities.js";
import { ChildPoliceResolver, PoliceMutationResolver, PoliceRecordResolver } from "./resolvers.js";

export function buildPoliceSchema() {
  return buildFederatedSchema({
    resolvers: [ChildPoliceResolver, PoliceRecordResolver, PoliceMutationResolver, createSubjectQueries("police")],
    orphanedTypes: [Child],
    referenceResolvers: { Child: (reference) => ({ id: reference.id }) },
  });
}
