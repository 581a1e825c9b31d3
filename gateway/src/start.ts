import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import type { Kysely } from "kysely";
import {
  enforcePolicyOnSchema,
  operationNamePlugin,
  serveHttp,
  startEventRelay,
  type RunningHttp,
} from "@safeguarding/kit";
import { loadGlossary } from "@safeguarding/glossary";
import { loadProtocolConfigs } from "@safeguarding/protocol-engine";
import { createAssertionSigner } from "@safeguarding/shared/assertion";
import { auditMigration } from "@safeguarding/shared/audit";
import { outboxMigration } from "@safeguarding/shared/events";
import { serviceLog } from "@safeguarding/shared/log";
import { gatewayAssertionSecret } from "@safeguarding/shared/keys";
import { compactNhsNumber } from "@safeguarding/shared/nhs-number";
import { openStore } from "@safeguarding/shared/store";
import { AgencyDataSource } from "./agency-data-source.js";
import { authConfigFromEnv, createAuthenticator } from "./auth.js";
import { probeUrl, type GatewayConfig } from "./config.js";
import type { GatewayContext } from "./context.js";
import { ALERTS_SERVICE, formatGatewayError } from "./errors.js";
import { InProcessDataSource } from "./in-process-data-source.js";
import { explorerOptionsFromEnv, explorerRoutes } from "./explorer/serve.js";
import { createSubgraphFetcher } from "./fetcher.js";
import { operationLimitRule } from "./limits.js";
import { KNOWN_OPERATIONS, watchAgencyBreakers } from "./metrics.js";
import { auditPlugin } from "./plugins/audit.js";
import { requestIdPlugin, warningsPlugin } from "./plugins/response.js";
import { createRateLimiter } from "./rate-limit.js";
import { createConditionAnalysis, type HoldersNeeded } from "./read-path/conditions.js";
import { createReadPath } from "./read-path/read-path.js";
import { createRequestContext } from "./request-context.js";
import { createAuditSchema, loadAllocationFacts } from "./subgraphs/access-log.js";
import { createChildIndexSchema } from "./subgraphs/child-index.js";
import { createGlossarySchema } from "./subgraphs/glossary.js";
import { createProtocolSchema } from "./subgraphs/protocol.js";
import { createProtocolWatch, protocolWatchMigration, type ProtocolWatch } from "./protocol/watch.js";
import { loadTrustedDocuments, trustedDocumentsPlugin } from "./trusted-documents.js";

// @apollo/gateway reports anonymous usage to Apollo unless this is set; nothing leaves these machines.
process.env.APOLLO_TELEMETRY_DISABLED = "1";

export type { GatewayContext } from "./context.js";

export const SUPERGRAPH_PATH = new URL("../dist/supergraph.graphql", import.meta.url);

export interface RunningGateway extends RunningHttp {
  /** The gateway's audit trail (tests read it). */
  audit: Kysely<any>;
  /** The protocol watch: started on the configured interval once the gateway listens. */
  protocolWatch: ProtocolWatch;
}

/**
 * Starts the gateway: its audit store, the keys it signs agency assertions with, the user-token verifier and rate
 * limiter, the four subgraphs it hosts in process (child index, glossary, protocol, access log) each behind the
 * access policy, @apollo/gateway over the composed supergraph, and the HTTP server with its probes.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const supergraphSdl = readFileSync(SUPERGRAPH_PATH, "utf8");
  const audit = await openStore<unknown>({
    name: "gateway",
    databaseUrl: config.databaseUrl,
    sqlitePath: join(config.dataDir, "gateway.db"),
    // The gateway's own trail, and the outbox its protocol watch raises PROTOCOL_OVERDUE into (docs/ALERTS.md).
    migrations: {
      "900_audit_log": auditMigration,
      "910_outbox": outboxMigration,
      "920_protocol_watch": protocolWatchMigration,
    },
  });
  const signer = await createAssertionSigner(await gatewayAssertionSecret(config.dataDir, config.production));
  const authenticator = createAuthenticator(await authConfigFromEnv(config.dataDir, config.production));
  const limiter = createRateLimiter(config.rateLimit);
  const trusted = config.trustedDocumentsPath ? loadTrustedDocuments(config.trustedDocumentsPath) : undefined;

  const glossary = loadGlossary();
  // Every field the gateway itself answers goes through the same access policy as the subgraphs' fields.
  const guard = (schema: GraphQLSchema, prepare?: Parameters<typeof enforcePolicyOnSchema>[2]) =>
    enforcePolicyOnSchema(schema, (context) => context as GatewayContext, prepare);
  // Conditions are read off the API schema, which the gateway has once it has loaded the supergraph.
  let holdersNeeded: HoldersNeeded | null = null;
  const readPath = createReadPath({
    agencies: config.agencies,
    timeoutMs: config.subgraphTimeoutMs,
    holdersNeeded: () => holdersNeeded,
  });
  const onePath = config.readPath === "one-trip" ? readPath : null;
  const indexSchema = guard(createChildIndexSchema(config.agencies, config.subgraphTimeoutMs, onePath ?? undefined));
  const glossarySchema = guard(createGlossarySchema(glossary));
  // A bad protocol configuration file stops start-up here, naming the file and the field.
  const protocolConfigs = loadProtocolConfigs(config.protocolConfigDir);
  const protocolSchema = guard(
    createProtocolSchema({
      agencies: config.agencies,
      timeoutMs: config.subgraphTimeoutMs,
      configs: protocolConfigs,
      glossary,
    }),
  );
  const auditDeps = { audit: audit.db, agencies: config.agencies, timeoutMs: config.subgraphTimeoutMs };
  const auditSchema = guard(createAuditSchema(auditDeps), {
    "Query.accessLog": async (args, context) => {
      const id = typeof args.childId === "string" ? compactNhsNumber(args.childId) : "";
      if (/^\d{10}$/.test(id)) await loadAllocationFacts(auditDeps, context as GatewayContext, id);
    },
  });
  const fetcher = createSubgraphFetcher(config.subgraphTimeoutMs);

  const gateway = new ApolloGateway({
    supergraphSdl,
    // The read path fetches each agency's planned sections together with the look-up of who the child is.
    experimental_didResolveQueryPlan({ queryPlan, requestContext }) {
      onePath?.planned(requestContext.context as GatewayContext, queryPlan, requestContext.request.variables);
    },
    buildService({ name }) {
      if (name === "index") return new InProcessDataSource(indexSchema);
      if (name === "glossary") return new InProcessDataSource(glossarySchema);
      if (name === "protocol") return new InProcessDataSource(protocolSchema);
      if (name === "audit") return new InProcessDataSource(auditSchema);
      // Called with the gateway's assertion like an agency (its own key), behind its own breaker and deadline.
      if (name === "alerts")
        return new AgencyDataSource(name, ALERTS_SERVICE, config.subgraphTimeoutMs, null, {
          url: config.alertsUrl,
          fetcher,
        });
      const agency = config.agencies.find((a) => a.name === name);
      if (!agency) throw new Error(`No agency is configured for subgraph "${name}".`);
      return new AgencyDataSource(name, agency.agency, config.subgraphTimeoutMs, onePath, {
        url: agency.url,
        fetcher,
      });
    },
  });

  const apollo = new ApolloServer<GatewayContext>({
    // The service's own stopOnSignal closes the HTTP server, Apollo and the stores once, in order; Apollo's handler
    // would stop Apollo first and leave close() waiting on a second stop that never ends (SIGTERM ignored).
    stopOnTerminationSignals: false,
    gateway,
    formatError: formatGatewayError,
    includeStacktraceInErrorResponses: false,
    introspection: !config.production,
    // In production, no "Did you mean …?" hints that would map the schema for a caller who may not see it.
    hideSchemaDetailsFromClientErrors: config.production,
    // A browser cannot send a simple (non-preflighted) cross-site request that the gateway will run.
    csrfPrevention: true,
    validationRules: [operationLimitRule(config.limits, !config.production)],
    parseOptions: { maxTokens: config.limits.maxTokens },
    plugins: [
      ApolloServerPluginUsageReportingDisabled(),
      // No answer may be cached and serveHttp says so (no-store); Apollo's plugin would work that out per request.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing page loads from a CDN, which police networks cannot reach; development has /explorer.
      ApolloServerPluginLandingPageDisabled(),
      operationNamePlugin,
      ...(trusted ? [trustedDocumentsPlugin<GatewayContext>(trusted)] : []),
      warningsPlugin,
      requestIdPlugin,
      auditPlugin(audit),
    ],
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    holdersNeeded = createConditionAnalysis(apiSchema);
  });
  await apollo.start();
  const unwatchBreakers = watchAgencyBreakers(config.agencies);
  // Steps that fall overdue as time passes: checked on a timer, raised through the gateway's own outbox.
  const relay = await startEventRelay("gateway", audit, { dataDir: config.dataDir, events: config.events });
  const protocolWatch = createProtocolWatch({
    agencies: config.agencies,
    timeoutMs: config.subgraphTimeoutMs,
    configs: protocolConfigs,
    signer,
    db: audit.db as Kysely<any>,
    lookbackDays: config.protocolWatch.lookbackDays,
    log: serviceLog("gateway"),
    onRaised: () => relay?.nudge(),
  });

  const http = await serveHttp<GatewayContext>({
    apollo,
    port: config.port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
    // The API explorer and its demo sign-in are for development only: in production /explorer is an unknown path.
    routes: config.production ? undefined : explorerRoutes(explorerOptionsFromEnv()),
    observe: { service: "gateway", operations: KNOWN_OPERATIONS, joinCallerTrace: false },
    metrics: config.metrics,
    context: createRequestContext({
      authenticator,
      limiter,
      signer,
      maxTokens: config.limits.maxTokens,
      trustedProxies: config.trustedProxies,
    }),
    probe: {
      health: async () => ({ service: "gateway" }),
      ready: async () => {
        const checks = await Promise.all(
          config.agencies.map(async (agency) => {
            try {
              const response = await fetch(probeUrl(agency.url, "ready"), { signal: AbortSignal.timeout(2000) });
              return [agency.agency, response.ok ? "ok" : `not ready (HTTP ${response.status})`] as const;
            } catch {
              return [agency.agency, "unreachable"] as const;
            }
          }),
        );
        let store = "ok";
        try {
          await audit.ping();
        } catch {
          store = "unreachable";
        }
        return {
          ok: store === "ok" && checks.every(([, state]) => state === "ok"),
          checks: { ...Object.fromEntries(checks), auditStore: store },
        };
      },
    },
  });

  protocolWatch.start(config.protocolWatch.intervalMs);

  return {
    ...http,
    audit: audit.db,
    protocolWatch,
    async close() {
      await http.close();
      // A pass in progress finishes; what it recorded stays in the outbox for the next start if not yet sent.
      await protocolWatch.stop();
      await relay?.close();
      unwatchBreakers();
      await apollo.stop();
      await limiter.close();
      await audit.close();
    },
  };
}
