import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { parse } from "graphql";
import { buildSubgraphSchema, printSubgraphSchema, type GraphQLResolverMap } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { DateTimeResolver, DateResolver } from "graphql-scalars";
import { buildSchemaSync, createResolversMap, getMetadataStorage, type NonEmptyArray } from "type-graphql";
import { policyMiddleware } from "./access/enforce.js";
import { fieldsNeedingCheck } from "@safeguarding/shared/policy";

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

/** Sets type-graphql's `simple` flag on plain fields the policy need not check again (see fieldsNeedingCheck). */
function markFieldsThePolicyImplies(probe: GraphQLSchema): void {
  const checked = fieldsNeedingCheck(probe);
  const storage = getMetadataStorage() as unknown as {
    objectTypes: {
      name: string;
      target: Function;
      fields?: { name: string; schemaName: string; simple?: boolean }[];
    }[];
  };
  for (const objectType of storage.objectTypes) {
    for (const field of objectType.fields ?? []) {
      // A field defined once on a base class (RecordedItem.recordedAt) is shared by every type extending it.
      const users = storage.objectTypes.filter(
        (t) => t.target === objectType.target || t.target.prototype instanceof objectType.target,
      );
      // Only the types this schema serves matter; a field none of them serves keeps the default (checked).
      const served = users.filter((t) => probe.getType(t.name));
      const needsCheck = served.length === 0 || served.some((t) => checked.has(`${t.name}.${field.schemaName}`));
      field.simple = needsCheck ? undefined : true;
    }
  }
}

/**
 * Turns type-graphql classes into an Apollo Federation 2 subgraph schema: print with directives (graphql's
 * own printer drops @key), add the federation @link, and merge the reference resolvers.
 */
export function buildFederatedSchema(options: FederatedSchemaOptions): FederatedSchema {
  const build = (withPolicy: boolean) =>
    buildSchemaSync({
      resolvers: options.resolvers,
      orphanedTypes: options.orphanedTypes,
      skipCheck: true,
      validate: false,
      scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
      // The access policy, as a type-graphql global middleware before every field that needs it (access/policy.ts).
      globalMiddlewares: withPolicy ? [policyMiddleware] : [],
    });
  // A type-graphql middleware makes a field asynchronous, which costs time on every value of every record. So a
  // first build finds the fields whose decision their parent field already made, and marks those plain properties
  // "simple" (type-graphql's own option for resolvers that skip middleware); every other field is checked.
  markFieldsThePolicyImplies(build(false));
  const typeGraphqlSchema = build(true);
  const typeDefs = parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(typeGraphqlSchema)}`);
  const resolvers = createResolversMap(typeGraphqlSchema) as GraphQLResolverMap<unknown>;
  for (const [typeName, resolveReference] of Object.entries(options.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), __resolveReference: resolveReference } as never;
  }
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  return { schema, sdl: printSubgraphSchema(schema) };
}
