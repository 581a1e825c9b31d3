import { fileURLToPath } from "node:url";
import { intFromEnv } from "@safeguarding/shared/config";

/**
 * gateway/protocol: the per-area missing-from-care protocol files the gateway ships (its own PROTOCOL_CONFIG_DIR),
 * found the same way from here: subgraphs/health/{src,dist} and gateway/ sit side by side in the repository and in
 * the image (the Dockerfile copies gateway/protocol).
 */
export const PROTOCOL_CONFIG_DIR = fileURLToPath(new URL("../../../gateway/protocol/", import.meta.url));

export const DEFAULT_ESCALATION_CHECK_MS = 60_000;

export interface EscalationWatchSettings {
  /** The folder of per-area protocol files whose MENTAL_HEALTH_ESCALATION rule sets the threshold. */
  protocolConfigDir: string;
  /** How often the watch looks for assessments past their escalation point; 0 turns it off. */
  intervalMs: number;
}

/** PROTOCOL_CONFIG_DIR (default gateway/protocol) and HEALTH_ESCALATION_CHECK_MS (default 60000; 0: off). */
export function escalationWatchSettings(): EscalationWatchSettings {
  return {
    protocolConfigDir: process.env.PROTOCOL_CONFIG_DIR || PROTOCOL_CONFIG_DIR,
    intervalMs: intFromEnv("HEALTH_ESCALATION_CHECK_MS", DEFAULT_ESCALATION_CHECK_MS),
  };
}
