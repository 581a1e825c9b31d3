import { fileURLToPath } from "node:url";
import { AGENCIES, agencyUrl, type AgencyCode, type AgencyRow } from "@safeguarding/shared/agencies";
import { defaultDataDir, intFromEnv } from "@safeguarding/shared/config";
import { metricsExposureFromEnv, type EventTransportOptions, type MetricsExposure } from "@safeguarding/kit";
import { DEFAULT_LIMITS, type OperationLimits } from "./limits.js";
import { rateLimitConfigFromEnv, type RateLimitConfig } from "./rate-limit.js";
import { trustedProxiesFrom, type TrustedProxies } from "./request-context.js";

export type { AgencyCode } from "@safeguarding/shared/agencies";
import { DEFAULT_ALERTS_PORT } from "@safeguarding/shared/events";

/** gateway/protocol: the per-area missing-protocol files the gateway ships. */
export const PROTOCOL_CONFIG_DIR = fileURLToPath(new URL("../protocol/", import.meta.url));

/** One agency from the shared table, and where this gateway finds it. */
export interface AgencyEndpoint {
  /** The subgraph's name in the supergraph. */
  name: AgencyRow["name"];
  agency: AgencyCode;
  /** Prefix of the subgraph's @inaccessible index queries, e.g. policeSubjects. */
  queryPrefix: string;
  /** The field of Child holding the agency's section, e.g. socialCare. */
  section: string;
  url: string;
}

export function agencyEndpoints(env: NodeJS.ProcessEnv = process.env): AgencyEndpoint[] {
  return AGENCIES.map((a) => ({
    name: a.name,
    agency: a.code,
    queryPrefix: a.queryPrefix,
    section: a.section,
    url: agencyUrl(a, env),
  }));
}

export interface GatewayConfig {
  port: number;
  host: string;
  agencies: AgencyEndpoint[];
  /** The alerts service's GraphQL endpoint (ALERTS_URL): myAlerts and acknowledgeAlert (docs/ALERTS.md). */
  alertsUrl: string;
  /** Every call to a subgraph is abandoned after this long, so one slow agency cannot hold up the rest. */
  subgraphTimeoutMs: number;
  maxBodyBytes: number;
  /** Checked before any subgraph is called. */
  limits: OperationLimits;
  production: boolean;
  /** The folder of per-area protocol configuration files (PROTOCOL_CONFIG_DIR). */
  protocolConfigDir: string;
  /** Where the development keys and the embedded audit store live. */
  dataDir: string;
  /** PostgreSQL for the gateway's audit trail (GATEWAY_DATABASE_URL); the SQLite file data/gateway.db when unset. */
  databaseUrl?: string;
  rateLimit: RateLimitConfig;
  /** TRUSTED_PROXIES: the load balancers' addresses or subnets; their X-Forwarded-For names the caller. */
  trustedProxies: TrustedProxies;
  /** When set, only the operations in this trusted documents manifest run (TRUSTED_DOCUMENTS). */
  trustedDocumentsPath?: string;
  /**
   * READ_PATH: "one-trip" (default) asks each agency once per request, the look-up and its sections together;
   * "per-fetch" makes the look-up and each planned fetch separate requests, as before. A switch to fall back on,
   * and what `npm run bench -- --steps` compares.
   */
  readPath: "one-trip" | "per-fetch";
  /** /metrics: on METRICS_PORT when set, and on the public port too outside production. */
  metrics: MetricsExposure;
  /**
   * The protocol watch (docs/ALERTS.md): how often it checks every watched child's protocol for steps gone overdue
   * (PROTOCOL_WATCH_MS, default 5 minutes: the shortest watched timescale is an hour, and every pass is a read each
   * agency audits; 0: never), and how long ago a step may have fallen due and still be raised
   * (PROTOCOL_WATCH_LOOKBACK_DAYS, default 14).
   */
  protocolWatch: { intervalMs: number; lookbackDays: number };
  /**
   * Where the gateway's outbox relay carries the PROTOCOL_OVERDUE events the watch records: as every agency's
   * (NATS_URL, else ALERTS_EVENTS_URL signed with EVENTS_SECRET_FILE). false: no relay (tests).
   */
  events?: EventTransportOptions | false;
}

export function loadGatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const host = process.env.HOST ?? "127.0.0.1";
  const production = process.env.NODE_ENV === "production";
  return {
    port: intFromEnv("GATEWAY_PORT", 4000),
    host,
    agencies: agencyEndpoints(),
    alertsUrl: process.env.ALERTS_URL || `http://127.0.0.1:${DEFAULT_ALERTS_PORT}/graphql`,
    subgraphTimeoutMs: intFromEnv("SUBGRAPH_TIMEOUT_MS", 5000),
    maxBodyBytes: intFromEnv("MAX_BODY_BYTES", 64 * 1024),
    limits: {
      maxDepth: intFromEnv("MAX_QUERY_DEPTH", DEFAULT_LIMITS.maxDepth),
      maxAliases: intFromEnv("MAX_QUERY_ALIASES", DEFAULT_LIMITS.maxAliases),
      maxFields: intFromEnv("MAX_QUERY_FIELDS", DEFAULT_LIMITS.maxFields),
      maxTokens: intFromEnv("MAX_QUERY_TOKENS", DEFAULT_LIMITS.maxTokens),
    },
    production,
    protocolConfigDir: process.env.PROTOCOL_CONFIG_DIR || PROTOCOL_CONFIG_DIR,
    dataDir: defaultDataDir(),
    databaseUrl: process.env.GATEWAY_DATABASE_URL || undefined,
    rateLimit: rateLimitConfigFromEnv(),
    trustedProxies: trustedProxiesFrom(process.env.TRUSTED_PROXIES),
    trustedDocumentsPath: process.env.TRUSTED_DOCUMENTS || undefined,
    readPath: readPathFromEnv(process.env.READ_PATH),
    metrics: metricsExposureFromEnv(production),
    protocolWatch: {
      intervalMs: intFromEnv("PROTOCOL_WATCH_MS", 300_000),
      lookbackDays: intFromEnv("PROTOCOL_WATCH_LOOKBACK_DAYS", 14),
    },
    ...overrides,
  };
}

function readPathFromEnv(value: string | undefined): GatewayConfig["readPath"] {
  if (!value || value === "one-trip") return "one-trip";
  if (value === "per-fetch") return value;
  throw new Error(`READ_PATH must be one-trip or per-fetch; got "${value}".`);
}

/** Turns a subgraph's GraphQL URL into the URL of one of its probes (/ready, /health). */
export function probeUrl(graphqlUrl: string, probe: "ready" | "health"): string {
  const url = new URL(graphqlUrl);
  url.pathname = `/${probe}`;
  return url.toString();
}
