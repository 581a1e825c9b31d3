import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "../context.js";

/** Every answer says which request id it was recorded under, for support calls and investigations. */
export const requestIdPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        response.http.headers.set("x-request-id", contextValue.requestId);
      },
    };
  },
};

/** Adds the child index's warnings (e.g. an agency missing from a search) to the response's errors. */
export const warningsPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (contextValue.warnings.length === 0 || response.body.kind !== "single") return;
        const result = response.body.singleResult;
        result.errors = [
          ...(result.errors ?? []),
          ...contextValue.warnings.map((w) => ({ message: w.message, extensions: w.extensions })),
        ];
      },
    };
  },
};
