import "reflect-metadata";
import { runSubgraphMain } from "@safeguarding/kit";
import { socialCareSubgraph } from "./definition.js";

await runSubgraphMain(socialCareSubgraph);
