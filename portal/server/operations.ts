import { ACTION_CARD_QUERY } from "./action-card-query.ts";
import { ACKNOWLEDGE_ALERT_MUTATION, MY_ALERTS_QUERY } from "./alerts-gateway.ts";

/**
 * Every operation the portal sends the gateway, by name, exactly as it posts them: `npm run trusted-documents`
 * registers these (through this package's `./operations` export) and the gateway's request metrics name them.
 */
export const PORTAL_OPERATIONS: readonly { name: string; body: string }[] = [
  { name: "PortalActionCard", body: ACTION_CARD_QUERY },
  { name: "PortalMyAlerts", body: MY_ALERTS_QUERY },
  { name: "PortalAcknowledgeAlert", body: ACKNOWLEDGE_ALERT_MUTATION },
];
