import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { GlossaryValidationError, REQUIRED_CODES, loadGlossary, missingCodes, termsDir } from "./load.js";
import { CODE_SCHEMES, GLOSSARY_CATEGORIES, type CodeScheme } from "./schema.js";

describe("the real glossary", () => {
  const glossary = loadGlossary();

  it("loads at least 85 terms, one per file", () => {
    const files = readdirSync(termsDir).filter((f) => f.endsWith(".md"));
    expect(glossary.terms.length).toBeGreaterThanOrEqual(85);
    expect(glossary.terms.length).toBe(files.length);
  });

  it("sorts terms by display name", () => {
    const names = glossary.terms.map((t) => t.term);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "en")));
  });

  it("links every related id to an existing term", () => {
    const dangling = glossary.terms.flatMap((t) =>
      t.related.filter((id) => glossary.byId(id) === undefined).map((id) => `${t.id} -> ${id}`),
    );
    expect(dangling).toEqual([]);
  });

  it("covers every required code", () => {
    expect(missingCodes(glossary)).toEqual([]);
  });

  it("maps each required code to exactly one term", () => {
    for (const scheme of CODE_SCHEMES) {
      for (const code of REQUIRED_CODES[scheme]) {
        const claimants = glossary.terms.filter((t) => t.codes?.some((c) => c.scheme === scheme && c.code === code));
        expect(
          claimants.map((t) => t.id),
          `${scheme} ${code}`,
        ).toHaveLength(1);
      }
    }
  });

  it.each([
    ["SSDA903_LEGAL_STATUS", "C1", "interim-care-order"],
    ["SSDA903_LEGAL_STATUS", "C2", "care-order"],
    ["SSDA903_LEGAL_STATUS", "V2", "section-20-accommodation"],
    ["SSDA903_LEGAL_STATUS", "V4", "short-breaks"],
    ["SSDA903_LEGAL_STATUS", "L1", "police-protection"],
    ["SSDA903_LEGAL_STATUS", "L2", "emergency-protection-order"],
    ["SSDA903_LEGAL_STATUS", "J2", "pace-transfer"],
    ["CP_CATEGORY", "SAB", "sexual-abuse"],
    ["MISSING_RISK_LEVEL", "VERY_LOW", "very-low-risk-missing"],
    ["MISSING_RISK_LEVEL", "HIGH", "high-risk-missing"],
    ["SSDA903_PLACEMENT", "A6", "placed-for-adoption"],
    ["SSDA903_PLACEMENT", "U2", "foster-placement-with-relatives-or-friends"],
    ["SSDA903_PLACEMENT", "U5", "foster-placement"],
    ["SSDA903_PLACEMENT", "T4", "temporary-move"],
  ] as const)("byCode(%s, %s) is %s", (scheme, code, id) => {
    expect(glossary.byCode(scheme as CodeScheme, code)?.id).toBe(id);
  });

  it("finds codes case-insensitively and returns undefined for unknown codes", () => {
    expect(glossary.byCode("MISSING_RISK_LEVEL", "very_low")?.id).toBe("very-low-risk-missing");
    expect(glossary.byCode("SSDA903_LEGAL_STATUS", "W1")).toBeUndefined();
  });

  it("uses only the known categories and keeps every category in use", () => {
    const used = new Set(glossary.terms.map((t) => t.category));
    expect([...used].sort()).toEqual([...GLOSSARY_CATEGORIES].sort());
  });

  it("keeps the Markdown body on the loaded term", () => {
    const ico = glossary.byId("interim-care-order");
    expect(ico?.body).toMatch(/care proceedings/);
    expect(ico?.body).not.toMatch(/^---/);
  });

  it("has no duplicate abbreviations within a term", () => {
    const duplicates = glossary.terms.filter((t) => {
      const seen = t.abbreviations.map((a) => a.toLowerCase());
      return new Set(seen).size !== seen.length;
    });
    expect(duplicates.map((t) => t.id)).toEqual([]);
  });
});

describe("loading a directory with bad entries", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "glossary-test-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function frontMatter(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id,
      term: `Term ${id}`,
      abbreviations: [],
      category: "process",
      legalBasis: "Not statutory: test fixture",
      meaning: "A short meaning. It has two sentences.",
      policeDuties: { must: ["Do the thing."], mustNot: [], call: [] },
      related: [],
      sources: [{ title: "Example", url: "https://www.legislation.gov.uk/ukpga/1989/41/section/46" }],
      lastReviewed: "2026-11-26",
      ...overrides,
    };
  }

  function writeTerm(fileName: string, data: Record<string, unknown>, body = "Body text."): string {
    const path = join(dir, fileName);
    writeFileSync(path, `---\n${stringify(data)}---\n\n${body}\n`);
    return path;
  }

  function loadError(): GlossaryValidationError {
    try {
      loadGlossary(dir);
    } catch (error) {
      if (error instanceof GlossaryValidationError) return error;
      throw error;
    }
    throw new Error("expected loadGlossary to throw");
  }

  it("loads a valid directory", () => {
    writeTerm("alpha.md", frontMatter("alpha", { related: ["beta"] }));
    writeTerm("beta.md", frontMatter("beta", { codes: [{ scheme: "CP_CATEGORY", code: "NEG" }] }));
    const glossary = loadGlossary(dir);
    expect(glossary.terms.map((t) => t.id)).toEqual(["alpha", "beta"]);
    expect(glossary.byCode("CP_CATEGORY", "NEG")?.id).toBe("beta");
    expect(missingCodes(glossary)).toContainEqual({ scheme: "CP_CATEGORY", code: "PHY" });
  });

  it("names the file and the id field for an id that is not kebab-case", () => {
    const path = writeTerm("Bad_Id.md", frontMatter("Bad_Id"));
    expect(loadError().message).toContain(`${path}: id: must be kebab-case`);
  });

  it("names the file and the id field when the id does not match the file name", () => {
    const path = writeTerm("alpha.md", frontMatter("beta"));
    expect(loadError().message).toBe(`${path}: id: must equal the file name "alpha"`);
  });

  it("names the file and the meaning field for a four-sentence meaning", () => {
    const path = writeTerm("alpha.md", frontMatter("alpha", { meaning: "One. Two. Three. Four." }));
    expect(loadError().message).toBe(`${path}: meaning: must be at most three sentences`);
  });

  it("names the file and the sources field when there is no source", () => {
    const path = writeTerm("alpha.md", frontMatter("alpha", { sources: [] }));
    expect(loadError().message).toBe(`${path}: sources: must name at least one source`);
  });

  it("names the file and the sources field when sources are left out", () => {
    const { sources: _omitted, ...rest } = frontMatter("alpha");
    const path = writeTerm("alpha.md", rest);
    expect(loadError().message).toBe(`${path}: sources: is required`);
  });

  it("names the file and the exact related entry for an unknown related id", () => {
    const path = writeTerm("alpha.md", frontMatter("alpha", { related: ["alpha-two", "no-such-term"] }));
    writeTerm("alpha-two.md", frontMatter("alpha-two"));
    expect(loadError().message).toBe(`${path}: related[1]: unknown term id "no-such-term"`);
  });

  it("names the second file when two terms claim the same code", () => {
    writeTerm("alpha.md", frontMatter("alpha", { codes: [{ scheme: "SSDA903_LEGAL_STATUS", code: "C1" }] }));
    const second = writeTerm(
      "beta.md",
      frontMatter("beta", {
        codes: [
          { scheme: "SSDA903_LEGAL_STATUS", code: "C2" },
          { scheme: "SSDA903_LEGAL_STATUS", code: "C1" },
        ],
      }),
    );
    expect(loadError().message).toBe(
      `${second}: codes[1]: SSDA903_LEGAL_STATUS code C1 is already claimed by term "alpha"`,
    );
  });

  it("allows the same code in different schemes", () => {
    writeTerm("alpha.md", frontMatter("alpha", { codes: [{ scheme: "MISSING_RISK_LEVEL", code: "LOW" }] }));
    writeTerm("beta.md", frontMatter("beta", { codes: [{ scheme: "CP_CATEGORY", code: "MUL" }] }));
    expect(() => loadGlossary(dir)).not.toThrow();
  });

  it("names the nested field path for a bad source URL", () => {
    const path = writeTerm("alpha.md", frontMatter("alpha", { sources: [{ title: "x", url: "nope" }] }));
    expect(loadError().message).toBe(`${path}: sources[0].url: must be a valid http(s) URL`);
  });

  it("refuses a source on a host outside the allow-list, naming the file, the source and the host", () => {
    const path = writeTerm(
      "alpha.md",
      frontMatter("alpha", {
        sources: [
          { title: "Statute", url: "https://www.legislation.gov.uk/ukpga/1989/41/section/46" },
          { title: "A document mirror", url: "https://docsbay.net/recovery-order" },
        ],
      }),
    );
    const error = loadError();
    expect(error.issues).toEqual([{ file: path, field: "sources[1].url", message: expect.any(String) }]);
    expect(error.message).toMatch(
      new RegExp(`^${path}: sources\\[1\\]\\.url: "A document mirror": host "docsbay\\.net"`),
    );
  });

  it("refuses a plain-http source even on an allowed host", () => {
    writeTerm(
      "alpha.md",
      frontMatter("alpha", { sources: [{ title: "Old link", url: "http://www.legislation.gov.uk/a" }] }),
    );
    expect(loadError().message).toMatch(
      /sources\[0\]\.url: "Old link": "http:\/\/www\.legislation\.gov\.uk\/a" must use https/,
    );
  });

  it("reports a file without front matter", () => {
    const path = join(dir, "alpha.md");
    writeFileSync(path, "# Just Markdown\n");
    expect(loadError().message).toBe(`${path}: must start with YAML front matter between --- lines`);
  });

  it("reports front matter that is not valid YAML", () => {
    const path = join(dir, "alpha.md");
    writeFileSync(path, "---\nid: [unclosed\n---\n");
    expect(loadError().message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: front matter is not valid YAML`),
    );
  });

  it("lists every problem across files in one error", () => {
    writeTerm("alpha.md", frontMatter("alpha", { meaning: "One. Two. Three. Four." }));
    writeTerm("beta.md", frontMatter("beta", { related: ["gamma"] }));
    const error = loadError();
    expect(error.issues.map((i) => i.field)).toEqual(["meaning", "related[0]"]);
    expect(error.message).toMatch(/^2 problems in the glossary:/);
  });

  it("shows files inside the monorepo relative to its root", () => {
    const inside = mkdtempSync(join(termsDir, "..", ".load-test-"));
    try {
      writeFileSync(join(inside, "alpha.md"), "no front matter\n");
      const error = (() => {
        try {
          loadGlossary(inside);
        } catch (e) {
          return e as GlossaryValidationError;
        }
        throw new Error("expected loadGlossary to throw");
      })();
      const folder = inside.split(/[\\/]/).pop();
      expect(error.issues[0].file).toBe(`glossary/${folder}/alpha.md`);
    } finally {
      rmSync(inside, { recursive: true, force: true });
    }
  });
});
