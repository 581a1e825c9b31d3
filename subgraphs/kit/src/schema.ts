import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { parse } from "graphql";
import { buildSubgraphSchema, printSubgraphSchema, type GraphQLResolverMap } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { DateTimeResolver, DateResolver } from "graphql-scalars";
import { buildSchemaSync, createResolversMap, type NonEmptyArray } from "type-graphql";
import { policyMiddleware } from "./access/enforce.js";

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@inaccessible"])';

/** A calendar date with no time (dates of birth): stored and returned as YYYY-MM-DD strings. */
export const CalendarDate = DateResolver;

export interface FederatedSchemaOptions {
  resolvers: NonEmptyArray<Function>;
  orphanedTypes?: Function[];
  /** `__resolveReference` per entity type name, merged into the type-graphql resolvers. */
  referenceResolvers?: Record<string, (reference: Record<string, unknown>, context: unknown) => unknown>;
}

export interface FederatedSchema {
  schema: GraphQLSchema;
  /** The subgraph SDL with federation directives, as composed into the supergraph. */
  sdl: string;
}

/**
 * Turns type-graphql classes into an Apollo Federation 2 subgraph schema: print with directives (graphql's
 * own printer drops @key), add the federation @link, and merge the reference resolvers.
 */
export function buildFederatedSchema(options: FederatedSchemaOptions): FederatedSchema {
  const typeGraphqlSchema = buildSchemaSync({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    skipCheck: true,
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // The access policy runs before every field this subgraph resolves (access/policy.ts).
    globalMiddlewares: [policyMiddleware],
  });
  const typeDefs = parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(typeGraphqlSchema)}`);
  const resolvers = createResolversMap(typeGraphqlSchema) as GraphQLResolverMap<unknown>;
  for (const [typeName, resolveReference] of Object.entries(options.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), __resolveReference: resolveReference } as never;
  }
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  return { schema, sdl: printSubgraphSchema(schema) };
}
