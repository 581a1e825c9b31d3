import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { execute, parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from "graphql";
import type { GatewayContext } from "./context.js";

/**
 * Runs one of the gateway's own subgraphs (child index, glossary, protocol, access log) in this process. Apollo's
 * LocalGraphQLDataSource parses and validates the planner's query on every call; the planner hands over its parsed
 * document, and plans are cached, so each document is validated once here and then only executed.
 */
export class InProcessDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  private readonly parsed = new Map<string, DocumentNode>();

  constructor(private readonly schema: GraphQLSchema) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const { request, context } = options;
    const parsed = ("document" in options && options.document) || this.parse(request.query ?? "");
    let errors = this.validated.get(parsed);
    if (!errors) {
      errors = validate(this.schema, parsed);
      this.validated.set(parsed, errors);
    }
    if (errors.length > 0) return { errors };
    return execute({
      schema: this.schema,
      document: parsed,
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue: context,
    });
  }

  private parse(query: string): DocumentNode {
    let document = this.parsed.get(query);
    if (!document) {
      if (this.parsed.size > 1000) this.parsed.clear();
      document = parse(query);
      this.parsed.set(query, document);
    }
    return document;
  }
}
