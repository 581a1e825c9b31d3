import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeSupergraph, readSubgraphSdls, SUPERGRAPH_PATH } from "@safeguarding/gateway";
import { repoRoot } from "../support/cluster.js";

describe("the supergraph", () => {
  const fresh = composeSupergraph(readSubgraphSdls());

  it("committed copy matches a fresh composition of the subgraphs (run `npm run supergraph:update -w @safeguarding/gateway`)", () => {
    expect(readFileSync(join(repoRoot, "gateway/supergraph.graphql"), "utf8")).toBe(fresh);
  });

  it("the gateway loads matches a fresh composition (rebuild with `npm run build`)", () => {
    expect(readFileSync(SUPERGRAPH_PATH, "utf8")).toBe(fresh);
  });

  it("fails composition when two subgraphs disagree", () => {
    const subgraphs = readSubgraphSdls();
    const police = subgraphs.find((s) => s.name === "police")!;
    const broken = police.sdl.replace(/(type Source @shareable \{[\s\S]*?system: )String!/, "$1Int!");
    expect(broken).not.toBe(police.sdl);
    expect(() => composeSupergraph(subgraphs.map((s) => (s === police ? { ...s, sdl: broken } : s)))).toThrow(
      /composition failed/i,
    );
  });

  it("hides the child index's agency queries from clients", () => {
    expect(fresh).toMatch(/policeSubjects\(.*\).*@inaccessible/);
  });
});
