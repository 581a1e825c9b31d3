export { startAlertsService, type AlertsStartOptions, type EventSubscription, type RunningAlerts } from "./start.js";
export { createAlertsService, type AlertsService, type AlertView } from "./alerts.js";
export { loadAlertConfigs, isOutOfHours, type AlertAreaConfig, type AlertConfigs } from "./config.js";
export { openAlertsStore, type AlertsDatabase } from "./store.js";
