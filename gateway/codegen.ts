import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Typed documents for what the gateway itself asks the agencies (the protocol's facts), generated from the API schema
 * that scripts/api-schema.mjs derives from the reviewed supergraph. A field the documents name that the schema no
 * longer has fails here, naming the field, before tsc runs.
 *
 * GraphQL Code Generator rather than gql.tada: it validates every document at build time with graphql-js's own rules
 * and fails the build, whereas gql.tada infers types inside the TypeScript checker and reports an unknown field only
 * through its editor plugin or a separate `gql-tada check` step; and its output is plain TypeScript (a string and a
 * type per document), which needs no GraphQL library at run time in the portal.
 */
const config: CodegenConfig = {
  schema: "src/generated/api-schema.graphql",
  documents: ["src/**/*.graphql", "!src/generated/**"],
  generates: {
    "src/generated/graphql.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        // The document as the text sent on the wire, with its result type attached.
        documentMode: "string",
        enumsAsTypes: true,
        skipTypename: true,
        useTypeImports: true,
        strictScalars: true,
        // JSON carries DateTime as an ISO 8601 string; the code turns it into a Date where it needs one.
        scalars: { DateTime: "string" },
      },
    },
  },
};

export default config;
