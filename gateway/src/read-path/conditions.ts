import type { FetchNode, PlanNode, QueryPlan } from "@apollo/query-planner";
import { getNamedType, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from "graphql";
import type { AgencyCode } from "@safeguarding/shared/agencies";
import {
  alwaysAllowed,
  CONDITION_HOLDERS,
  ruleFor,
  type Condition,
  type Principal,
  type Rule,
} from "@safeguarding/shared/policy";

/** The conditional rules a fetch's fields fall under (e.g. Placement.address: while a missing episode is open). */
function conditionalRules(fetch: FetchNode, schema: GraphQLSchema, cache: WeakMap<FetchNode, Rule[]>): Rule[] {
  const cached = cache.get(fetch);
  if (cached) return cached;
  const rules: Rule[] = [];
  const typeInfo = new TypeInfo(schema);
  // `_entities` is not in the API schema; TypeInfo picks the type up again at `... on Child`.
  visit(
    fetch.operationDocumentNode ?? parse(fetch.operation),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent) return;
        const rule = ruleFor(getNamedType(parent).name, node.name.value);
        if (rule?.allowIf) rules.push(rule);
      },
    }),
  );
  cache.set(fetch, rules);
  return rules;
}

function* fetchesOf(node: PlanNode | undefined): Generator<FetchNode> {
  if (!node) return;
  switch (node.kind) {
    case "Fetch":
      yield node;
      return;
    case "Sequence":
    case "Parallel":
      for (const child of node.nodes) yield* fetchesOf(child);
      return;
    case "Flatten":
      yield* fetchesOf(node.node);
      return;
    case "Condition":
      yield* fetchesOf(node.ifClause);
      yield* fetchesOf(node.elseClause);
      return;
    case "Defer":
      yield* fetchesOf(node.primary.node);
      for (const deferred of node.deferred) yield* fetchesOf(deferred.node);
      return;
  }
}

/**
 * For one caller, which fact-holding agencies must answer before each subgraph of the plan is asked: an agency
 * whose answer includes a field this caller may see only under a condition (the placement address while police
 * hold an open missing episode, clinical detail for the allocated social worker) needs the fact from the agency
 * that holds it, and the gateway's own conditional fields need it before they resolve. Keyed by subgraph name.
 */
export function createConditionAnalysis(schema: GraphQLSchema) {
  const rulesByFetch = new WeakMap<FetchNode, Rule[]>();
  const byPlan = new WeakMap<QueryPlan, Map<Principal, Map<string, Set<AgencyCode>>>>();
  return function holdersNeeded(plan: QueryPlan, principal: Principal): Map<string, Set<AgencyCode>> {
    let perPrincipal = byPlan.get(plan);
    if (!perPrincipal) byPlan.set(plan, (perPrincipal = new Map()));
    const cached = perPrincipal.get(principal);
    if (cached) return cached;
    const needed = new Map<string, Set<AgencyCode>>();
    for (const fetch of fetchesOf(plan.node as PlanNode | undefined)) {
      for (const rule of conditionalRules(fetch, schema, rulesByFetch)) {
        if (alwaysAllowed(principal, rule) || !rule.allowIf?.roles.includes(principal)) continue;
        const holder = CONDITION_HOLDERS[rule.allowIf.condition as Condition];
        const set = needed.get(fetch.serviceName) ?? new Set<AgencyCode>();
        set.add(holder);
        needed.set(fetch.serviceName, set);
      }
    }
    perPrincipal.set(principal, needed);
    return needed;
  };
}

export type HoldersNeeded = ReturnType<typeof createConditionAnalysis>;
