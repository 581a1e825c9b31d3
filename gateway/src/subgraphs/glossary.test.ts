import { graphql } from "graphql";
import { describe, expect, it } from "vitest";
import { loadGlossary } from "@safeguarding/glossary";
import { createGlossarySchema } from "./glossary.js";

const schema = createGlossarySchema(loadGlossary());
const run = (source: string) => graphql({ schema, source });

describe("the glossary subgraph", () => {
  it("answers look-ups with the glossary's own ranking", async () => {
    const result = await run(`{ glossarySearch(query: "ico", first: 3) { id category related relatedTerms { id } } }`);
    expect(result.errors).toBeUndefined();
    const [first] = (result.data as any).glossarySearch;
    expect(first.id).toBe("interim-care-order");
    expect(first.category).toBe("ORDER");
    expect(first.related.length).toBeGreaterThan(0);
    expect(first.relatedTerms.map((t: { id: string }) => t.id)).toEqual(first.related);
  });

  it("resolves term references, as the gateway does for record codes", async () => {
    const result = await run(
      `{ _entities(representations: [{ __typename: "GlossaryTerm", id: "police-protection" }]) { ... on GlossaryTerm { term legalBasis } } }`,
    );
    expect((result.data as any)._entities[0].legalBasis).toMatch(/46/);
  });

  it.each([
    [`{ glossarySearch(query: "ico", first: 0) { id } }`, /first must be between 1 and 50/],
    [`{ glossarySearch(query: "${"x".repeat(201)}") { id } }`, /longer than 200 characters/],
  ])("refuses %#", async (source, message) => {
    const result = await run(source);
    expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0].message).toMatch(message);
  });

  it("returns an empty list for a search that matches nothing", async () => {
    const result = await run(`{ glossarySearch(query: "zzqqxx") { id } }`);
    expect((result.data as any).glossarySearch).toEqual([]);
  });
});
