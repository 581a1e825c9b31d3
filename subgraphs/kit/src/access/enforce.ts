import {
  defaultFieldResolver,
  GraphQLError,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from "graphql";
import type { MiddlewareFn } from "type-graphql";
import type { AccessGrant } from "@safeguarding/shared/identity";
import { childIdOf, decide } from "@safeguarding/shared/policy";
import type { AccessRecord } from "@safeguarding/shared/request-audit";

export interface PolicyContext {
  grant: AccessGrant | null;
  access: AccessRecord;
}

export function forbidden(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN", field } });
}

/**
 * Applies the access policy to one field about to be resolved: records it, and throws FORBIDDEN (naming the field)
 * when the caller may not see it. The value is then null and every other field still resolves.
 */
export function checkField(
  context: PolicyContext,
  typeName: string,
  fieldName: string,
  root: unknown,
  args: Record<string, unknown> | undefined,
): void {
  const childId = childIdOf(typeName, root, args);
  const field = `${typeName}.${fieldName}`;
  const decision = decide(context.grant, typeName, fieldName, childId);
  if (childId) context.access.childIds.add(childId);
  if (!decision.allowed) {
    context.access.fieldsDenied.add(field);
    throw forbidden(decision.message, field);
  }
  context.access.fieldsReturned.add(field);
}

/**
 * The policy as a type-graphql global middleware: it runs before every field of every type the subgraph defines,
 * so a field nobody remembered to protect is refused by default rather than shown.
 */
export const policyMiddleware: MiddlewareFn<PolicyContext> = ({ root, args, context, info }, next) => {
  checkField(context, info.parentType.name, info.fieldName, root, args);
  return next();
};

/**
 * The same policy for schemas not built with type-graphql (the gateway's own child index, protocol engine and
 * glossary): wraps every field resolver in place. Federation's own fields (_entities, _service) are left alone;
 * the entity fields they lead to are checked.
 */
export function enforcePolicyOnSchema(
  schema: GraphQLSchema,
  contextOf: (context: unknown) => PolicyContext,
  /**
   * Per "Type.field": loads facts a conditional rule needs before the decision (e.g. whether the caller is the
   * child's allocated social worker, which only social care knows).
   */
  prepare: Record<string, (args: Record<string, unknown>, context: unknown) => Promise<void>> = {},
): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__") || type.name === "_Service") continue;
    for (const field of Object.values(type.getFields())) {
      if (field.name.startsWith("_")) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const typeName = type.name;
      const before = prepare[`${typeName}.${field.name}`];
      field.resolve = before
        ? async (root, args, context, info: GraphQLResolveInfo) => {
            await before(args, context);
            checkField(contextOf(context), typeName, field.name, root, args);
            return resolve(root, args, context, info);
          }
        : (root, args, context, info: GraphQLResolveInfo) => {
            checkField(contextOf(context), typeName, field.name, root, args);
            return resolve(root, args, context, info);
          };
    }
  }
  return schema;
}

/**
 * The fields a request asked for ("Type.field"), less any under a field the policy refused: what the answer can
 * have disclosed. Worked out once per request from the operation, not per value, for the audit entry.
 */
const requestedWhenNothingRefused = new WeakMap<DocumentNode, string[]>();

/**
 * requestedFields for a request nothing was refused in: the same document always gives the same answer, and Apollo
 * hands every request with the same query the same parsed document, so it is worked out once per query.
 */
export function requestedFieldsOf(schema: GraphQLSchema, document: DocumentNode, denied: Set<string>): string[] {
  if (denied.size > 0) return requestedFields(schema, document, denied);
  let fields = requestedWhenNothingRefused.get(document);
  if (!fields) {
    fields = requestedFields(schema, document, denied);
    requestedWhenNothingRefused.set(document, fields);
  }
  return fields;
}

export function requestedFields(schema: GraphQLSchema, document: DocumentNode, denied: Set<string>): string[] {
  const typeInfo = new TypeInfo(schema);
  const stack: string[] = [];
  let refusedDepth = 0;
  const out = new Set<string>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const key = parent ? `${parent.name}.${node.name.value}` : node.name.value;
          stack.push(key);
          if (refusedDepth === 0 && denied.has(key)) refusedDepth = stack.length;
          const internal = node.name.value.startsWith("_");
          if (refusedDepth === 0 && !internal && parent && !parent.name.startsWith("_")) out.add(key);
        },
        leave() {
          if (refusedDepth === stack.length) refusedDepth = 0;
          stack.pop();
        },
      },
    }),
  );
  return [...out].sort();
}
