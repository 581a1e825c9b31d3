import { buildFederatedSchema } from "@safeguarding/kit";
import { AlertResolver } from "./resolvers.js";

export function buildAlertsSchema() {
  return buildFederatedSchema({ resolvers: [AlertResolver] });
}
