import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";

/*
 * Why these limits are written here rather than taken from @escape.tech/graphql-armor 3 (checked December 2026;
 * `npm run bench -w @safeguarding/gateway` sets armor up to enforce the same limits and prints both side by side):
 * - Armor's max-depth, max-aliases and cost-limit count the same numbers as this rule (cost-limit with every cost 1
 *   and fragments flattened is nearly our field count), but a refusal is a thrown "Syntax Error: Query depth limit
 *   of 10 exceeded, found 14." with no extensions.code. Keeping OPERATION_LIMIT_EXCEEDED and a sentence saying what
 *   to do means an onReject handler that is given only armor's message, so our sentence would be parsed back out
 *   of its wording, and the error would lose the operation's location.
 * - Its cost-limit also counts each fragment spread and inline fragment as a field and multiplies a subtree by a
 *   `first`/`last` argument: not "fields selected", which is what the limit and its message promise.
 * - Its introspection exemption covers `__schema` only, anywhere in the query; ours covers root `__schema` and
 *   `__type`, in development only.
 * - Three rules walk the document three times; this one walks it once. Measured three times on the shipped client
 *   operations and the tests' attacks: the limit rules alone took 1352–2048 µs in total here against 1564–2479 µs
 *   for armor's (8–21 % slower); whole validations were within the noise of a busy 2-core machine.
 * - Tokens: graphql's own parser stops at parseOptions.maxTokens at no extra cost; armor's Apollo max-tokens plugin
 *   parses every document a second time through a proxied lexer. Field suggestions are hidden by Apollo's
 *   hideSchemaDetailsFromClientErrors in production, as armor's block-field-suggestions would.
 * Armor's one limit we lack, max-directives, is bounded by the token limit (a directive is at least two tokens).
 */

/**
 * Limits checked before any subgraph is called. The real client queries (the full child record, the action card,
 * the protocol) use about a third of each, so they pass with room to spare; `npm test` runs them under these limits.
 */
export interface OperationLimits {
  /** Deepest nesting of fields. */
  maxDepth: number;
  /** Fields given an alias, across the operation. */
  maxAliases: number;
  /** Fields selected once fragments are expanded: a simple cost, since every field may mean a store query. */
  maxFields: number;
  /** Lexical tokens in the document, enforced by the parser before anything else. */
  maxTokens: number;
}

export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 10, maxAliases: 30, maxFields: 800, maxTokens: 5000 };

interface Measure {
  depth: number;
  aliases: number;
  fields: number;
}

function measure(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  visiting: Set<string>,
  depth: number,
): Measure {
  const total: Measure = { depth, aliases: 0, fields: 0 };
  const add = (inner: Measure) => {
    total.depth = Math.max(total.depth, inner.depth);
    total.aliases += inner.aliases;
    total.fields += inner.fields;
  };
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      total.fields += 1;
      if (selection.alias) total.aliases += 1;
      if (selection.selectionSet) add(measure(selection.selectionSet, fragments, visiting, depth + 1));
      else total.depth = Math.max(total.depth, depth + 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      add(measure(selection.selectionSet, fragments, visiting, depth));
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      // A fragment that spreads itself is reported by graphql's own NoFragmentCycles rule.
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      add(measure(fragment.selectionSet, fragments, visiting, depth));
      visiting.delete(name);
    }
  }
  return total;
}

/**
 * `allowIntrospection`: where introspection is on (development), root __schema and __type fields are not counted,
 * so tools that read the schema (the standard introspection query nests 15 levels) still work. In production
 * introspection is off and refused outright.
 */
export function operationLimitRule(limits: OperationLimits, allowIntrospection = false): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
      }
      const selectionSet = allowIntrospection
        ? {
            ...operation.selectionSet,
            selections: operation.selectionSet.selections.filter(
              (s) => !(s.kind === Kind.FIELD && (s.name.value === "__schema" || s.name.value === "__type")),
            ),
          }
        : operation.selectionSet;
      const { depth, aliases, fields } = measure(selectionSet, fragments, new Set(), 0);
      const refuse = (message: string) =>
        context.reportError(
          new GraphQLError(message, { nodes: [operation], extensions: { code: "OPERATION_LIMIT_EXCEEDED" } }),
        );
      if (depth > limits.maxDepth) {
        refuse(`The query nests fields ${depth} levels deep; the limit is ${limits.maxDepth}. Ask for less at once.`);
      }
      if (aliases > limits.maxAliases) {
        refuse(`The query uses ${aliases} aliases; the limit is ${limits.maxAliases}. Split it into several requests.`);
      }
      if (fields > limits.maxFields) {
        refuse(`The query selects ${fields} fields; the limit is ${limits.maxFields}. Ask only for what you need.`);
      }
    },
  });
}
