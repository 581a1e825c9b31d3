import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { composeSupergraph, readSubgraphSdls } from "./compose.js";

/**
 * Build step: compose the supergraph from the subgraphs' SDL. A composition error fails the build, and so does a
 * composition that differs from the reviewed copy (gateway/supergraph.graphql): the typed documents of the protocol
 * and the portal are generated from that copy, so a subgraph change must be reviewed there before it can build.
 * `--write-committed` (npm run supergraph:update) writes the fresh composition as the reviewed copy instead.
 */
const reviewedPath = new URL("../supergraph.graphql", import.meta.url);
try {
  const supergraph = composeSupergraph(readSubgraphSdls());
  mkdirSync(new URL("../dist/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../dist/supergraph.graphql", import.meta.url), supergraph);
  if (process.argv.includes("--write-committed")) writeFileSync(reviewedPath, supergraph);
  else {
    const reviewed = readFileSync(reviewedPath, "utf8");
    if (reviewed !== supergraph) {
      console.error(
        [
          "The subgraphs no longer compose to gateway/supergraph.graphql, the reviewed schema the typed documents are",
          "generated from. First difference:",
          ...firstDifference(reviewed, supergraph),
          "If the change is meant, run `npm run supergraph:update -w @safeguarding/gateway`, review the diff of",
          "gateway/supergraph.graphql, and build again: documents that use a changed field then fail by name.",
        ].join("\n"),
      );
      process.exit(1);
    }
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

/** Where the reviewed copy and the fresh composition part (at most five lines of each), diff-style. */
function firstDifference(reviewed: string, fresh: string): string[] {
  const a = reviewed.split("\n");
  const b = fresh.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let tail = 0;
  while (tail < a.length - start && tail < b.length - start && a[a.length - 1 - tail] === b[b.length - 1 - tail])
    tail += 1;
  return [
    `  at line ${start + 1}:`,
    ...a.slice(start, Math.min(a.length - tail, start + 5)).map((l) => `  - ${l}`),
    ...b.slice(start, Math.min(b.length - tail, start + 5)).map((l) => `  + ${l}`),
  ];
}
