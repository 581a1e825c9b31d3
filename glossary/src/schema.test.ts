import { describe, expect, it } from "vitest";
import { GlossaryTermSchema, countSentences } from "./schema.js";

const validTerm = {
  id: "interim-care-order",
  term: "Interim care order",
  abbreviations: ["ICO"],
  category: "order",
  legalBasis: "Children Act 1989, s38",
  meaning: "A temporary order. The council decides where the child lives.",
  policeDuties: { must: ["Return the child to the placement."], mustNot: [], call: ["EDT"] },
  related: [],
  sources: [
    {
      title: "legislation.gov.uk – Children Act 1989, section 38",
      url: "https://www.legislation.gov.uk/ukpga/1989/41/section/38",
    },
  ],
  lastReviewed: "2026-11-26",
  codes: [{ scheme: "SSDA903_LEGAL_STATUS", code: "C1" }],
};

function issuePaths(input: unknown): string[] {
  const result = GlossaryTermSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join("."));
}

describe("countSentences", () => {
  it.each([
    ["", 0],
    ["One sentence.", 1],
    ["No full stop at the end", 1],
    ["One. Two. Three.", 3],
    ["One. Two. Three. Four.", 4],
    ["Under s.38 the council decides. Parents keep PR.", 2],
    ["Examples include e.g. the council or i.e. the court.", 1],
    ['He said "stop." Then he left.', 2],
    ["Is it urgent? Yes! Call now.", 3],
  ])("%j has %i sentence(s)", (text, expected) => {
    expect(countSentences(text)).toBe(expected);
  });
});

describe("GlossaryTermSchema", () => {
  it("accepts a valid term", () => {
    expect(issuePaths(validTerm)).toEqual([]);
  });

  it("accepts an unquoted YAML 1.1 date that a site builder turned into a Date", () => {
    const parsed = GlossaryTermSchema.parse({ ...validTerm, lastReviewed: new Date("2026-11-26T00:00:00Z") });
    expect(parsed.lastReviewed).toBe("2026-11-26");
  });

  it.each([
    ["a non-kebab-case id", { id: "Interim_Care" }, "id"],
    ["a meaning of four sentences", { meaning: "One. Two. Three. Four." }, "meaning"],
    ["an unknown category", { category: "offence" }, "category"],
    ["no sources", { sources: [] }, "sources"],
    ["a source without a valid URL", { sources: [{ title: "x", url: "not a url" }] }, "sources.0.url"],
    ["a non-http source URL", { sources: [{ title: "x", url: "ftp://example.org/a" }] }, "sources.0.url"],
    ["a date that is not ISO", { lastReviewed: "26/11/2026" }, "lastReviewed"],
    ["an unknown code scheme", { codes: [{ scheme: "SSDA903_LS", code: "C1" }] }, "codes.0.scheme"],
    [
      "a code that the scheme does not have",
      { codes: [{ scheme: "SSDA903_LEGAL_STATUS", code: "C9" }] },
      "codes.0.code",
    ],
    ["an empty must list", { policeDuties: { must: [], mustNot: [], call: [] } }, "policeDuties.must"],
    ["an invalid related id", { related: ["Not An Id"] }, "related.0"],
  ])("rejects %s", (_label, override, path) => {
    expect(issuePaths({ ...validTerm, ...override })).toContain(path);
  });

  it("rejects unknown front-matter fields", () => {
    const result = GlossaryTermSchema.safeParse({ ...validTerm, summary: "extra" });
    expect(result.success).toBe(false);
  });

  it("rejects a term with a required field missing", () => {
    const { sources: _omitted, ...withoutSources } = validTerm;
    expect(issuePaths(withoutSources)).toContain("sources");
  });
});
