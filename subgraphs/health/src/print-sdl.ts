import "reflect-metadata";
import { writeSubgraphSdl } from "@safeguarding/kit";
import { healthSubgraph } from "./definition.js";

writeSubgraphSdl(healthSubgraph, new URL("../dist/subgraph.graphql", import.meta.url));
