import "reflect-metadata";
import { runSubgraphMain } from "@safeguarding/kit";
import { policeSubgraph } from "./definition.js";

await runSubgraphMain(policeSubgraph);
