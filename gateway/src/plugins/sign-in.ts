import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";

/** Root fields anyone may call without a token: the glossary holds no personal data. */
export const PUBLIC_ROOT_FIELDS = new Set(["glossaryTerm", "glossarySearch", "__typename"]);

export const SIGN_IN_FIRST =
  'Sign in first: send your bearer token as "Authorization: Bearer <token>". Only the glossary is open without one.';

/** The root field names an operation selects, through fragments; null when a spread names no fragment. */
function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): string[] | null {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else {
      const inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.selectionSet
          : fragments.get(selection.name.value)?.selectionSet;
      const nested = inner ? rootFields(inner, fragments) : null;
      if (!nested) return null;
      names.push(...nested);
    }
  }
  return names;
}

/**
 * Whether a request without a token may run: only a query that selects nothing but glossary fields. Decided from
 * the request as sent, before the gateway validates it against the schema, so a caller who has not signed in learns
 * nothing about the schema: an unknown field, a missing argument or a syntax error are all "sign in first" to them.
 */
export function anonymousMayRun(body: unknown, search: string, maxTokens: number): boolean {
  const params = new URLSearchParams(search);
  const request = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const query = typeof request.query === "string" ? request.query : params.get("query");
  const operationName =
    typeof request.operationName === "string" ? request.operationName : params.get("operationName") || undefined;
  if (!query) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens });
  } catch {
    return false;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation || operation.operation !== "query") return false;
  const names = rootFields(operation.selectionSet, fragments);
  return names !== null && names.length > 0 && names.every((name) => PUBLIC_ROOT_FIELDS.has(name));
}
