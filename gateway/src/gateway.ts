import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { ApolloGateway, LocalGraphQLDataSource, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginUsageReportingDisabled } from "@apollo/server/plugin/disabled";
import { serveHttp, type RunningHttp } from "@safeguarding/kit";
import { loadGlossary } from "@safeguarding/glossary";
import { createChildIndexSchema, type ChildIndexContext } from "./child-index.js";
import { createGlossarySchema } from "./glossary-subgraph.js";
import { createProtocolSchema } from "./protocol-subgraph.js";
import { loadProtocolConfigs, PROTOCOL_CONFIG_DIR } from "./protocol/config.js";
import { probeUrl, type GatewayConfig } from "./config.js";
import { agencyUnavailable, formatGatewayError } from "./errors.js";
import { createSubgraphFetcher } from "./fetcher.js";
import { operationLimitRule } from "./limits.js";

// @apollo/gateway reports anonymous usage to Apollo unless this is set; nothing leaves these machines.
process.env.APOLLO_TELEMETRY_DISABLED = "1";

export type GatewayContext = ChildIndexContext;

export const SUPERGRAPH_PATH = new URL("../dist/supergraph.graphql", import.meta.url);

/** Adds the child index's warnings (e.g. an agency missing from a search) to the response's errors. */
const warningsPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (contextValue.warnings.length === 0 || response.body.kind !== "single") return;
        const result = response.body.singleResult;
        result.errors = [
          ...(result.errors ?? []),
          ...contextValue.warnings.map((w) => ({ message: w.message, extensions: w.extensions })),
        ];
      },
    };
  },
};

/**
 * A subgraph call that fails outright (refused, timed out, HTTP error) becomes one error naming the agency, so
 * the client learns which section is missing and never sees the subgraph's URL or body.
 */
class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly agency: string,
    private readonly timeoutMs: number,
    options: Partial<RemoteGraphQLDataSource<GatewayContext>>,
  ) {
    super(options);
  }

  override willSendRequest({
    request,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["willSendRequest"]>>[0]) {
    if (context.requestId) request.http?.headers.set("x-request-id", context.requestId);
  }

  override async process(options: Parameters<RemoteGraphQLDataSource<GatewayContext>["process"]>[0]) {
    const known = options.context.unavailableAgencies?.get(this.agency);
    if (known) throw agencyUnavailable(this.agency, known);
    try {
      return await super.process(options);
    } catch (error) {
      const timedOut = error instanceof Error && /abort|timeout/i.test(`${error.name} ${error.message}`);
      const what = timedOut ? `did not answer within ${this.timeoutMs / 1000} s` : "could not be reached";
      options.context.unavailableAgencies?.set(this.agency, what);
      throw agencyUnavailable(this.agency, what);
    }
  }
}

export type RunningGateway = RunningHttp;

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const supergraphSdl = readFileSync(SUPERGRAPH_PATH, "utf8");
  const indexSchema = createChildIndexSchema(config.agencies, config.subgraphTimeoutMs);
  const glossary = loadGlossary();
  const glossarySchema = createGlossarySchema(glossary);
  // A bad protocol configuration file stops start-up here, naming the file and the field.
  const protocolSchema = createProtocolSchema({
    agencies: config.agencies,
    timeoutMs: config.subgraphTimeoutMs,
    configs: loadProtocolConfigs(config.protocolConfigDir ?? PROTOCOL_CONFIG_DIR),
    glossary,
  });
  const fetcher = createSubgraphFetcher(config.subgraphTimeoutMs);
  const urls = new Map(config.agencies.map((a) => [a.name, a.url]));

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService({ name }) {
      if (name === "index") return new LocalGraphQLDataSource(indexSchema);
      if (name === "glossary") return new LocalGraphQLDataSource(glossarySchema);
      if (name === "protocol") return new LocalGraphQLDataSource(protocolSchema);
      const url = urls.get(name);
      if (!url) throw new Error(`No URL is configured for subgraph "${name}".`);
      const agency = config.agencies.find((a) => a.name === name)!.agency;
      return new AgencyDataSource(agency, config.subgraphTimeoutMs, { url, fetcher });
    },
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatGatewayError,
    includeStacktraceInErrorResponses: false,
    introspection: !config.production,
    // In production, no "Did you mean …?" hints that would map the schema for a caller who may not see it.
    hideSchemaDetailsFromClientErrors: config.production,
    validationRules: [operationLimitRule(config.limits)],
    parseOptions: { maxTokens: config.limits.maxTokens },
    plugins: [ApolloServerPluginUsageReportingDisabled(), warningsPlugin],
  });
  await apollo.start();

  const http = await serveHttp<GatewayContext>({
    apollo,
    port: config.port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
    context: async (request) => {
      const header = request.headers["x-request-id"];
      return {
        requestId: typeof header === "string" && /^[\w-]{1,64}$/.test(header) ? header : randomUUID(),
        warnings: [],
        unavailableAgencies: new Map(),
      };
    },
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
        return { ok: checks.every(([, state]) => state === "ok"), checks: Object.fromEntries(checks) };
      },
    },
  });

  return {
    ...http,
    async close() {
      await http.close();
      await apollo.stop();
    },
  };
}
