import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { AGENCIES } from "@safeguarding/shared/agencies";
import { CHILD_INDEX_SDL } from "./subgraphs/child-index.js";
import { GLOSSARY_SDL } from "./subgraphs/glossary.js";
import { PROTOCOL_SDL } from "./subgraphs/protocol.js";
import { AUDIT_SDL } from "./subgraphs/access-log.js";

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

/** The subgraphs that make up the supergraph, read from the files each subgraph's build writes. */
export function readSubgraphSdls(): SubgraphSdl[] {
  const read = (pkg: string) => readFileSync(new URL(import.meta.resolve(`${pkg}/subgraph.graphql`)), "utf8");
  return [
    { name: "index", url: "local://child-index", sdl: CHILD_INDEX_SDL },
    { name: "glossary", url: "local://glossary", sdl: GLOSSARY_SDL },
    { name: "protocol", url: "local://protocol", sdl: PROTOCOL_SDL },
    { name: "audit", url: "local://audit", sdl: AUDIT_SDL },
    // Each agency's package is @safeguarding/<name>-subgraph, its SDL written by its build.
    ...AGENCIES.map((a) => ({
      name: a.name,
      url: `http://127.0.0.1:${a.defaultPort}/graphql`,
      sdl: read(`@safeguarding/${a.name}-subgraph`),
    })),
    // The alerts service is composed like an agency: the caller's own alerts, and Child.alerts (what nobody has
    // acknowledged yet), which is not an agency's section, so the one-trip read path leaves it to the planner.
    { name: "alerts", url: "http://127.0.0.1:4004/graphql", sdl: read("@safeguarding/alerts-subgraph") },
  ];
}

export class CompositionError extends Error {}

export function composeSupergraph(subgraphs: SubgraphSdl[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) {
    throw new CompositionError(
      `Supergraph composition failed:\n${result.errors.map((e) => `- ${e.message}`).join("\n")}`,
    );
  }
  return result.supergraphSdl;
}
