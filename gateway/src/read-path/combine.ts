import type { FetchNode } from "@apollo/query-planner";
import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type VariableDefinitionNode,
} from "graphql";

/**
 * One request to an agency that does the work of several: the agency's subject look-up (who the child is, and the
 * facts the access policy's conditions need) and every `_entities` fetch the query planner will make to it for
 * the request's children, each under an alias of its own. Variables and fragments are renamed per fetch so they
 * cannot collide; the planner's own selection sets are used unchanged, so the agency answers exactly what it would
 * have answered to the separate fetches.
 */
export interface CombinedOperation {
  query: string;
  /** The alias each planned fetch was given, in order: f0, f1, … */
  aliases: string[];
  /** For each planned fetch, its variables' names in the client's request, mapped to their names here. */
  variableNames: Map<string, string>[];
}

/** The alias the subject look-up answers under. */
export const SUBJECTS_ALIAS = "subjects";

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;

type EntitiesOperation = { operation: OperationDefinitionNode; document: DocumentNode } | null;

/** Plans are cached, so their fetch nodes are too: each fetch's query is parsed and looked at once, not per request. */
const entitiesOperations = new WeakMap<FetchNode, EntitiesOperation>();

function entitiesOperation(fetch: FetchNode): EntitiesOperation {
  let found = entitiesOperations.get(fetch);
  if (found === undefined) entitiesOperations.set(fetch, (found = readEntitiesOperation(fetch)));
  return found;
}

function readEntitiesOperation(fetch: FetchNode): EntitiesOperation {
  const document = fetch.operationDocumentNode ?? parse(fetch.operation);
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1) return null;
  const [operation] = operations;
  const roots = operation.selectionSet.selections;
  if (operation.operation !== "query" || roots.length !== 1) return null;
  const [root] = roots;
  if (root.kind !== Kind.FIELD || root.name.value !== "_entities" || root.alias) return null;
  return { operation, document };
}

/** Whether the read path can carry this fetch inside a combined request (the planner's usual `_entities` query). */
export function isCombinable(fetch: FetchNode): boolean {
  return entitiesOperation(fetch) !== null;
}

/**
 * Builds the combined query for one agency. `subjectsQuery` is the root field of the subject look-up with its
 * selection (e.g. `policeSubjects(nhsNumbers: $ids) { … }`), or null when this agency is asked only for sections.
 */
export function combineFetches(subjectsQuery: string | null, fetches: readonly FetchNode[]): CombinedOperation {
  const variableDefinitions: VariableDefinitionNode[] = [];
  const selections: SelectionNode[] = [];
  const fragments: FragmentDefinitionNode[] = [];
  const aliases: string[] = [];
  const variableNames: Map<string, string>[] = [];
  if (subjectsQuery) {
    const subjects = parse(`query ($ids: [ID!]!) { ${SUBJECTS_ALIAS}: ${subjectsQuery} }`)
      .definitions[0] as OperationDefinitionNode;
    variableDefinitions.push(...(subjects.variableDefinitions ?? []));
    selections.push(...subjects.selectionSet.selections);
  }
  fetches.forEach((fetch, index) => {
    const found = entitiesOperation(fetch);
    if (!found) throw new Error(`The fetch to ${fetch.serviceName} is not an _entities query and cannot be combined.`);
    const alias = `f${index}`;
    const names = new Map<string, string>();
    const renamed = visit(found.document, {
      Variable(node) {
        const renamedTo = `${alias}_${node.name.value}`;
        names.set(node.name.value, renamedTo);
        return { ...node, name: name(renamedTo) };
      },
      FragmentSpread(node) {
        return { ...node, name: name(`${alias}_${node.name.value}`) };
      },
      FragmentDefinition(node) {
        return { ...node, name: name(`${alias}_${node.name.value}`) };
      },
    });
    for (const definition of renamed.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.push(definition);
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      variableDefinitions.push(...(definition.variableDefinitions ?? []));
      const entities = definition.selectionSet.selections[0] as FieldNode;
      selections.push({ ...entities, alias: name(alias) });
    }
    aliases.push(alias);
    variableNames.push(names);
  });
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: "query" as OperationDefinitionNode["operation"],
    name: name("GatewayRead"),
    variableDefinitions,
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
  return { query: print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }), aliases, variableNames };
}
