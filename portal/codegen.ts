import { createRequire } from "node:module";
import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * The action card's typed document, generated against the gateway's API schema (derived from the reviewed supergraph
 * by the gateway's codegen step; see gateway/codegen.ts for why GraphQL Code Generator). A field the query names that
 * the schema no longer has fails the portal's build, naming the field.
 */
const apiSchema = createRequire(import.meta.url).resolve("@safeguarding/gateway/api-schema.graphql");

const config: CodegenConfig = {
  schema: apiSchema,
  documents: ["server/**/*.graphql"],
  generates: {
    "server/generated/graphql.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        // The query as the text the portal posts (and the trusted-documents manifest hashes), with its result type.
        documentMode: "string",
        enumsAsTypes: true,
        skipTypename: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { DateTime: "string" },
      },
    },
  },
};

export default config;
