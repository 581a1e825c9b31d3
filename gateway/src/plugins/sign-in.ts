import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind } from "graphql";
import type { GatewayContext } from "../context.js";

/** Root fields anyone may call without a token: the glossary holds no personal data. */
export const PUBLIC_ROOT_FIELDS = new Set(["glossaryTerm", "glossarySearch", "__typename"]);

/**
 * No token on anything but the glossary is a 401, before any subgraph is called. (A bad token was already
 * refused with 401 before GraphQL ran.)
 */
export function signInRequiredPlugin(introspection: boolean): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (contextValue.grant || !operation) return;
          const open = operation.selectionSet.selections.every(
            (selection) =>
              selection.kind === Kind.FIELD &&
              (PUBLIC_ROOT_FIELDS.has(selection.name.value) ||
                (introspection && selection.name.value.startsWith("__"))),
          );
          if (open && operation.operation === "query") return;
          throw new GraphQLError(
            'Sign in first: send your bearer token as "Authorization: Bearer <token>". Only the glossary is open without one.',
            { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } },
          );
        },
      };
    },
  };
}
