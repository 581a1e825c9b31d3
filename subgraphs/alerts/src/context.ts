import type { RequestBase, RequestContext } from "@safeguarding/kit";
import type { AlertsService } from "./alerts.js";

export interface AlertsContext extends RequestContext {
  alerts: AlertsService;
}

export function createContextFactory(alerts: AlertsService) {
  return (base: RequestBase): AlertsContext => ({ ...base, alerts });
}
