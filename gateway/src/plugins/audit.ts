import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, valueFromASTUntyped, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import type { Kysely } from "kysely";
import { auditOutcome, recordOrWithhold } from "@safeguarding/kit";
import { createAuditWriter } from "@safeguarding/shared/audit";
import { compactNhsNumber } from "@safeguarding/shared/nhs-number";
import { auditedCaller } from "@safeguarding/shared/request-audit";
import type { GatewayContext } from "../context.js";
import { PUBLIC_ROOT_FIELDS } from "./sign-in.js";

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
export function auditPlugin(store: { db: Kysely<any> }): ApolloServerPlugin<GatewayContext> {
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
          await recordOrWithhold(
            audit,
            {
              requestId: context.requestId,
              service: "gateway",
              action: operation.operation === "mutation" ? "WRITE" : rootField === "children" ? "SEARCH" : "READ",
              operation: rootField,
              ...auditedCaller(context.grant),
              childIds,
              fieldsReturned: sections,
              fieldsDenied: [...denied].sort(),
              outcome: auditOutcome(errors, sections.length > 0),
              detail:
                [...searches, errors.find((e) => e.extensions?.code !== "FORBIDDEN")?.message]
                  .filter(Boolean)
                  .join("; ") || null,
            },
            response,
            503,
          );
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
