import "reflect-metadata";
import { mkdirSync, writeFileSync } from "node:fs";
import { buildAlertsSchema } from "./schema.js";

const target = new URL("../dist/subgraph.graphql", import.meta.url);
mkdirSync(new URL(".", target), { recursive: true });
writeFileSync(target, buildAlertsSchema().sdl);
