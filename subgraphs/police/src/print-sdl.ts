import "reflect-metadata";
import { writeSubgraphSdl } from "@safeguarding/kit";
import { policeSubgraph } from "./definition.js";

writeSubgraphSdl(policeSubgraph, new URL("../dist/subgraph.graphql", import.meta.url));
