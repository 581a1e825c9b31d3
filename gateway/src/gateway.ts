import { readFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { ApolloGateway, LocalGraphQLDataSource, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginUsageReportingDisabled } from "@apollo/server/plugin/disabled";
import {
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import {
  ASSERTION_HEADER,
  AUDIT_UNAVAILABLE_MESSAGE,
  auditedCaller,
  auditMigration,
  CHILDREN_HEADER,
  compactNhsNumber,
  createAssertionSigner,
  createAuditWriter,
  enforcePolicyOnSchema,
  HttpRefusal,
  gatewayAssertionKey,
  newAccessRecord,
  openStore,
  serveHttp,
  type AuditOutcome,
  type RunningHttp,
} from "@safeguarding/kit";
import { loadGlossary } from "@safeguarding/glossary";
import { createChildIndexSchema } from "./child-index.js";
import type { GatewayContext } from "./context.js";
import { createAuditSchema, loadAllocationFacts } from "./audit-subgraph.js";
import { AuthenticationFailed, authConfigFromEnv, createAuthenticator } from "./auth.js";
import { createRateLimiter } from "./rate-limit.js";
import { loadTrustedDocuments, trustedDocumentsPlugin } from "./trusted-documents.js";
import { createGlossarySchema } from "./glossary-subgraph.js";
import { createProtocolSchema } from "./protocol-subgraph.js";
import { loadProtocolConfigs, PROTOCOL_CONFIG_DIR } from "./protocol/config.js";
import { probeUrl, type GatewayConfig } from "./config.js";
import { agencyUnavailable, formatGatewayError } from "./errors.js";
import { createSubgraphFetcher } from "./fetcher.js";
import { operationLimitRule } from "./limits.js";

// @apollo/gateway reports anonymous usage to Apollo unless this is set; nothing leaves these machines.
process.env.APOLLO_TELEMETRY_DISABLED = "1";

export type { GatewayContext } from "./context.js";

export const SUPERGRAPH_PATH = new URL("../dist/supergraph.graphql", import.meta.url);

/** Every answer says which request id it was recorded under, for support calls and investigations. */
const requestIdPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        response.http.headers.set("x-request-id", contextValue.requestId);
      },
    };
  },
};

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
    private readonly name: string,
    private readonly agency: string,
    private readonly timeoutMs: number,
    options: Partial<RemoteGraphQLDataSource<GatewayContext>>,
  ) {
    super(options);
  }

  override async willSendRequest({
    request,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["willSendRequest"]>>[0]) {
    if (context.requestId) request.http?.headers.set("x-request-id", context.requestId);
    // Signed per call: the facts the policy needs may have grown since the last call in this request.
    request.http?.headers.set(ASSERTION_HEADER, await context.assertionFor(this.name));
  }

  /** The agency names the children its answer touched; the gateway's audit entry names them too. */
  override didReceiveResponse({
    response,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["didReceiveResponse"]>>[0]) {
    const touched = response.http?.headers.get(CHILDREN_HEADER);
    for (const id of touched?.split(",") ?? []) if (/^\d{10}$/.test(id)) context.access.childIds.add(id);
    return response;
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

export interface RunningGateway extends RunningHttp {
  /** The gateway's audit trail (tests read it). */
  audit: import("kysely").Kysely<any>;
}

/** Root fields anyone may call without a token: the glossary holds no personal data. */
const PUBLIC_ROOT_FIELDS = new Set(["glossaryTerm", "glossarySearch", "__typename"]);

/**
 * No token on anything but the glossary is a 401, before any subgraph is called. (A bad token was already
 * refused with 401 before GraphQL ran.)
 */
function signInRequiredPlugin(introspection: boolean): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (contextValue.grant || !operation) return;
          const open = operation.selectionSet.selections.every(
            (selection) =>
              selection.kind === Kind.FIELD &&
              (PUBLIC_ROOT_FIELDS.has(selection.name.value) ||
                (introspection && selection.name.value.startsWith("__"))),
          );
          if (open && operation.operation === "query") return;
          throw new GraphQLError(
            'Sign in first: send your bearer token as "Authorization: Bearer <token>". Only the glossary is open without one.',
            { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } },
          );
        },
      };
    },
  };
}

type Json = Record<string, unknown>;
const IDENTITY_FIELDS = new Set(["id", "nhsNumber", "givenName", "familyName", "knownAs", "dateOfBirth", "ageYears"]);

/** The fields of a selection set with every fragment (inline or named) expanded, as they will execute. */
function fieldsOf(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): FieldNode[] {
  const out: FieldNode[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      out.push(...fieldsOf(fragments[selection.name.value]?.selectionSet, fragments, seen));
    }
  }
  return out;
}

/**
 * What a response disclosed about which children: the gateway's audit entry is written from this. Sections are
 * named by field, never by the alias a caller chose, and fragments are expanded, so the record cannot be dressed up.
 */
function disclosure(
  context: GatewayContext,
  roots: readonly FieldNode[],
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Json | undefined,
  data: Json | null | undefined,
): { childIds: string[]; sections: string[] } {
  const childIds = new Set(context.access.childIds);
  const sections = new Set<string>();
  for (const root of roots) {
    const field = root.name.value;
    const value = data?.[root.alias?.value ?? field];
    if (field === "child" && value && typeof value === "object") {
      for (const sub of fieldsOf(root.selectionSet, fragments)) {
        const section = (value as Json)[sub.alias?.value ?? sub.name.value];
        if (section === null || section === undefined || sub.name.value === "__typename") continue;
        sections.add(IDENTITY_FIELDS.has(sub.name.value) ? "identity" : sub.name.value);
      }
    } else if (field === "children" && Array.isArray(value)) {
      for (const summary of value as Json[]) if (typeof summary?.id === "string") childIds.add(summary.id);
      if (value.length > 0) sections.add("search results");
    } else if (value !== null && value !== undefined) {
      sections.add(field);
    }
    const args = argumentValues(root, variables);
    const input = args.input as Json | undefined;
    const childId = args.childId ?? input?.childId;
    if (typeof childId === "string") childIds.add(compactNhsNumber(childId));
  }
  return { childIds: [...childIds].sort(), sections: [...sections].sort() };
}

/**
 * Records every read of a child's record, every search and every write in the gateway's audit trail before the
 * answer leaves: who, when, which child, which sections came back and which fields were refused, the purpose and
 * the request id that ties this entry to each agency's. If the entry cannot be written, the data is withheld.
 */
function auditPlugin(store: GatewayAuditStore): ApolloServerPlugin<GatewayContext> {
  const audit = createAuditWriter(store.db);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: context, response, operation, request, document }) {
          if (!context.grant || !operation || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document?.definitions ?? [])
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          // Root fields through fragments too: `{ ... on Query { child(…) } }` is a read like any other.
          const roots = fieldsOf(operation.selectionSet, fragments).filter(
            (f) => !PUBLIC_ROOT_FIELDS.has(f.name.value),
          );
          if (roots.length === 0) return;
          const names = [...new Set(roots.map((r) => r.name.value))];
          const rootField = names.join(", ");
          if (operation.operation === "query" && !names.some((n) => ["child", "children", "accessLog"].includes(n))) {
            if (context.access.childIds.size === 0) return;
          }
          const variables = request.variables as Json | undefined;
          const { childIds, sections } = disclosure(context, roots, fragments, variables, result.data as Json | null);
          const errors = result.errors ?? [];
          const denied = new Set(context.access.fieldsDenied);
          for (const error of errors)
            if (error.extensions?.code === "FORBIDDEN" && typeof error.extensions.field === "string")
              denied.add(error.extensions.field);
          // A search is recorded with what was typed, even when it found nobody.
          const searches = roots
            .filter((r) => r.name.value === "children")
            .map((r) => (argumentValues(r, variables).search ?? {}) as Json)
            .map(
              (search) =>
                `searched for ${JSON.stringify(search.name ?? "")}${search.dateOfBirth ? ` born ${String(search.dateOfBirth)}` : ""}`,
            );
          if (childIds.length === 0 && denied.size === 0 && searches.length === 0 && operation.operation === "query")
            return;
          const forbiddenOnly = errors.length > 0 && errors.every((e) => e.extensions?.code === "FORBIDDEN");
          const outcome: AuditOutcome =
            errors.length === 0
              ? "OK"
              : forbiddenOnly && sections.length > 0
                ? "PARTIAL"
                : forbiddenOnly
                  ? "DENIED"
                  : errors.some((e) => e.extensions?.code === "BAD_USER_INPUT")
                    ? "REFUSED"
                    : "ERROR";
          try {
            await audit.append({
              requestId: context.requestId,
              service: "gateway",
              action: operation.operation === "mutation" ? "WRITE" : rootField === "children" ? "SEARCH" : "READ",
              operation: rootField,
              ...auditedCaller(context.grant),
              childIds,
              fieldsReturned: sections,
              fieldsDenied: [...denied].sort(),
              outcome,
              detail:
                [...searches, errors.find((e) => e.extensions?.code !== "FORBIDDEN")?.message]
                  .filter(Boolean)
                  .join("; ") || null,
            });
          } catch (error) {
            console.error(
              JSON.stringify({
                level: "error",
                service: "gateway",
                message: "audit entry not written",
                error: String(error),
              }),
            );
            response.http.status = 503;
            response.body.singleResult = {
              data: null,
              errors: [{ message: AUDIT_UNAVAILABLE_MESSAGE, extensions: { code: "AUDIT_UNAVAILABLE" } }],
            };
          }
        },
      };
    },
  };
}

/** The root field's arguments as the client gave them (literals and variables), for the audit entry. */
function argumentValues(root: FieldNode, variables: Json | undefined): Json {
  return Object.fromEntries(
    (root.arguments ?? []).map((argument) => [argument.name.value, valueFromASTUntyped(argument.value, variables)]),
  );
}

interface GatewayAuditStore {
  db: import("kysely").Kysely<any>;
  close(): Promise<void>;
}

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const supergraphSdl = readFileSync(SUPERGRAPH_PATH, "utf8");
  const audit = await openStore<unknown>({
    name: "gateway",
    databaseUrl: config.databaseUrl,
    sqlitePath: join(config.dataDir, "gateway.db"),
    migrations: { "900_audit_log": auditMigration },
  });
  const signer = await createAssertionSigner(await gatewayAssertionKey("private", config.dataDir, config.production));
  const authenticator = createAuthenticator(await authConfigFromEnv(config.dataDir, config.production));
  const limiter = createRateLimiter(config.rateLimit);
  const trusted = config.trustedDocumentsPath ? loadTrustedDocuments(config.trustedDocumentsPath) : undefined;

  const glossary = loadGlossary();
  // Every field the gateway itself answers goes through the same access policy as the subgraphs' fields.
  const guard = (schema: GraphQLSchema, prepare?: Parameters<typeof enforcePolicyOnSchema>[2]) =>
    enforcePolicyOnSchema(schema, (context) => context as GatewayContext, prepare);
  const indexSchema = guard(createChildIndexSchema(config.agencies, config.subgraphTimeoutMs));
  const glossarySchema = guard(createGlossarySchema(glossary));
  // A bad protocol configuration file stops start-up here, naming the file and the field.
  const protocolSchema = guard(
    createProtocolSchema({
      agencies: config.agencies,
      timeoutMs: config.subgraphTimeoutMs,
      configs: loadProtocolConfigs(config.protocolConfigDir ?? PROTOCOL_CONFIG_DIR),
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
  const urls = new Map(config.agencies.map((a) => [a.name, a.url]));

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService({ name }) {
      if (name === "index") return new LocalGraphQLDataSource(indexSchema);
      if (name === "glossary") return new LocalGraphQLDataSource(glossarySchema);
      if (name === "protocol") return new LocalGraphQLDataSource(protocolSchema);
      if (name === "audit") return new LocalGraphQLDataSource(auditSchema);
      const url = urls.get(name);
      if (!url) throw new Error(`No URL is configured for subgraph "${name}".`);
      const agency = config.agencies.find((a) => a.name === name)!.agency;
      return new AgencyDataSource(name, agency, config.subgraphTimeoutMs, { url, fetcher });
    },
  });

  const apollo = new ApolloServer<GatewayContext>({
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
      ...(trusted ? [trustedDocumentsPlugin<GatewayContext>(trusted)] : []),
      signInRequiredPlugin(!config.production),
      warningsPlugin,
      requestIdPlugin,
      auditPlugin(audit),
    ],
  });
  await apollo.start();

  const http = await serveHttp<GatewayContext>({
    apollo,
    port: config.port,
    host: config.host,
    maxBodyBytes: config.maxBodyBytes,
    context: async (request) => {
      const authorization = request.headers.authorization;
      let identity;
      let refused: AuthenticationFailed | null = null;
      try {
        identity = await authenticator.authenticate(typeof authorization === "string" ? authorization : undefined);
      } catch (error) {
        if (!(error instanceof AuthenticationFailed)) throw error;
        refused = error;
      }
      // Counted before a bad token is refused, so guessing at tokens is limited per address like anything else.
      const key = identity ? `user:${identity.userId}` : `anon:${request.socket.remoteAddress ?? "unknown"}`;
      let decision;
      try {
        decision = await limiter.take(key);
      } catch {
        throw new HttpRefusal(
          503,
          "RATE_LIMIT_UNAVAILABLE",
          "The gateway cannot check request limits just now, so it is not answering. Try again shortly.",
          { "retry-after": "5" },
        );
      }
      if (!decision.allowed) {
        throw new HttpRefusal(
          429,
          "RATE_LIMITED",
          `You have made more than ${decision.limit} requests in a minute: wait ${decision.retryAfterSeconds} s and try again.`,
          { "retry-after": String(decision.retryAfterSeconds) },
        );
      }
      if (refused) {
        throw new HttpRefusal(401, "UNAUTHENTICATED", refused.message, {
          "www-authenticate": 'Bearer error="invalid_token"',
        });
      }
      // A caller's own id is kept as the start of ours, for their support calls; the gateway's suffix makes every
      // request id unique, so a caller cannot tie their request to someone else's entries.
      const header = request.headers["x-request-id"];
      const suffix = randomUUID();
      const requestId =
        typeof header === "string" && /^[\w-]{1,64}$/.test(header) ? `${header}.${suffix.slice(0, 8)}` : suffix;
      const grant = identity ? { identity, purpose: null, requestId, facts: {}, via: null } : null;
      return {
        requestId,
        grant,
        access: newAccessRecord(),
        warnings: [],
        unavailableAgencies: new Map(),
        async assertionFor(audience: string, via?: "protocol") {
          if (!grant) throw new Error("No identity to assert: the request is anonymous.");
          return signer.sign(via ? { ...grant, via } : grant, audience);
        },
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

  return {
    ...http,
    audit: audit.db,
    async close() {
      await http.close();
      await apollo.stop();
      await limiter.close();
      await audit.close();
    },
  };
}
