import { readFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { CHILD_INDEX_SDL } from "./child-index.js";
import { GLOSSARY_SDL } from "./glossary-subgraph.js";
import { PROTOCOL_SDL } from "./protocol-subgraph.js";
import { AUDIT_SDL } from "./audit-subgraph.js";

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
    { name: "police", url: "http://127.0.0.1:4001/graphql", sdl: read("@safeguarding/police-subgraph") },
    { name: "social-care", url: "http://127.0.0.1:4002/graphql", sdl: read("@safeguarding/social-care-subgraph") },
    { name: "health", url: "http://127.0.0.1:4003/graphql", sdl: read("@safeguarding/health-subgraph") },
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
