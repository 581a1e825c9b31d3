import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// Node loads graphql's CommonJS build for type-graphql and @apollo/subgraph; Vite would pick its .mjs build for
// our own files. Two copies break `instanceof` checks ("Cannot use GraphQLSchema from another module"), so
// every package resolves `graphql` the way Node does.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");

export const sharedVitestConfig = defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
