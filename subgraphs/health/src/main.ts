import "reflect-metadata";
import { runSubgraphMain } from "@safeguarding/kit";
import { healthSubgraph } from "./definition.js";

await runSubgraphMain(healthSubgraph);
