import { mkdirSync, writeFileSync } from "node:fs";
import { composeSupergraph, readSubgraphSdls } from "./compose.js";

/** Build step: compose the supergraph from the subgraphs' SDL. A composition error fails the build. */
try {
  const supergraph = composeSupergraph(readSubgraphSdls());
  mkdirSync(new URL("../dist/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../dist/supergraph.graphql", import.meta.url), supergraph);
  if (process.argv.includes("--write-committed"))
    writeFileSync(new URL("../supergraph.graphql", import.meta.url), supergraph);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
