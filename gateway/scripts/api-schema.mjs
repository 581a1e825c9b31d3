// Writes src/generated/api-schema.graphql: the schema clients see, derived from the reviewed supergraph
// (gateway/supergraph.graphql) the way the gateway derives it, so @inaccessible fields and federation's own types are
// gone. The typed documents of the protocol and the portal are generated and checked against this file.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Supergraph } from "@apollo/federation-internals";
import { printSchema } from "graphql";

const supergraph = readFileSync(new URL("../supergraph.graphql", import.meta.url), "utf8");
const api = Supergraph.build(supergraph).apiSchema().toGraphQLJSSchema();
const target = new URL("../src/generated/", import.meta.url);
mkdirSync(target, { recursive: true });
writeFileSync(new URL("api-schema.graphql", target), `${printSchema(api)}\n`);
