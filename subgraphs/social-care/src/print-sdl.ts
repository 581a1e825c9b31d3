import "reflect-metadata";
import { writeSubgraphSdl } from "@safeguarding/kit";
import { socialCareSubgraph } from "./definition.js";

writeSubgraphSdl(socialCareSubgraph, new URL("../dist/subgraph.graphql", import.meta.url));
