import type { FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from "@apollo/query-planner";

/**
 * One agency fetch the query planner put straight under a root `child` field: `_entities` for the child whose id
 * the root field returned. The read path sends it to the agency in the same request as the agency's subject
 * look-up, before the planner asks for it, and the agency's data source then answers it from that response.
 */
export interface SectionFetch {
  fetch: FetchNode;
  /** The root field's response key (its alias, or "child"). */
  rootKey: string;
}

/** Section fetches by agency subgraph name. */
export type SectionPlan = Map<string, SectionFetch[]>;

const plans = new WeakMap<QueryPlan, SectionPlan>();

/** Exactly `... on Child { __typename id }`: the entity is the child, known by the id the root field returned. */
function requiresChildId(requires: readonly QueryPlanSelectionNode[] | undefined): boolean {
  if (requires?.length !== 1) return false;
  const [fragment] = requires;
  if (fragment.kind !== "InlineFragment" || fragment.typeCondition !== "Child") return false;
  const names = fragment.selections.map((s) => (s.kind === "Field" && !s.selections ? s.name : null));
  return names.length === 2 && names.includes("__typename") && names.includes("id");
}

/**
 * The agency fetches of a query plan that hang directly off a root field, for the subgraphs named. Anything the
 * read path cannot predict exactly (deeper fetches, rewrites, other entity keys) is left out and goes to the agency
 * the usual way. Plans are cached by the gateway, so the analysis is too.
 */
export function sectionFetches(plan: QueryPlan, agencies: ReadonlySet<string>): SectionPlan {
  const cached = plans.get(plan);
  if (cached) return cached;
  const found: SectionPlan = new Map();
  const visit = (node: PlanNode | undefined): void => {
    if (!node) return;
    switch (node.kind) {
      case "Sequence":
      case "Parallel":
        for (const child of node.nodes) visit(child);
        return;
      case "Flatten": {
        const inner = node.node;
        if (
          node.path.length === 1 &&
          typeof node.path[0] === "string" &&
          inner.kind === "Fetch" &&
          agencies.has(inner.serviceName) &&
          requiresChildId(inner.requires) &&
          !inner.inputRewrites?.length &&
          !inner.outputRewrites?.length &&
          !inner.contextRewrites?.length &&
          !inner.hasDefers
        ) {
          const list = found.get(inner.serviceName) ?? [];
          list.push({ fetch: inner, rootKey: node.path[0] });
          found.set(inner.serviceName, list);
        }
        return;
      }
      default:
        return;
    }
  };
  visit(plan.node as PlanNode | undefined);
  plans.set(plan, found);
  return found;
}
