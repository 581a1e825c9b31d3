import { readdirSync, readFileSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { CODE_SCHEMES, GlossaryTermSchema, REQUIRED_CODES, type CodeScheme, type GlossaryTerm } from "./schema.js";
import { createSearchIndex } from "./search.js";
import { sourceProblem } from "./sources.js";

export { REQUIRED_CODES };

/** Absolute path of glossary/terms. Both src/ (tests) and dist/ (built) sit next to terms/. */
export const termsDir: string = fileURLToPath(new URL("../terms", import.meta.url));

export interface Glossary {
  /** Every term, sorted by display name. */
  readonly terms: readonly GlossaryTerm[];
  byId(id: string): GlossaryTerm | undefined;
  byCode(scheme: CodeScheme, code: string): GlossaryTerm | undefined;
  search(query: string, first?: number): GlossaryTerm[];
}

export interface GlossaryIssue {
  /** The file, relative to the monorepo root when it lies inside it. */
  readonly file: string;
  /** Dotted field path inside the front matter, e.g. `policeDuties.must[0]`; empty for the whole file. */
  readonly field: string;
  readonly message: string;
}

export class GlossaryValidationError extends Error {
  readonly issues: readonly GlossaryIssue[];

  constructor(issues: readonly GlossaryIssue[]) {
    const lines = issues.map((i) => `${i.file}: ${i.field ? `${i.field}: ` : ""}${i.message}`);
    super(
      issues.length === 1
        ? lines[0]
        : `${issues.length} problems in the glossary:\n${lines.map((l) => `  ${l}`).join("\n")}`,
    );
    this.name = "GlossaryValidationError";
    this.issues = issues;
  }
}

const monorepoRoot = resolve(termsDir, "..", "..");

function displayPath(file: string): string {
  const rel = relative(monorepoRoot, file);
  return rel.startsWith("..") || isAbsolute(rel) ? file : rel.split("\\").join("/");
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

interface SplitFile {
  readonly frontMatter: string;
  readonly body: string;
}

function splitFrontMatter(text: string): SplitFile | undefined {
  const normalised = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const match = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(normalised);
  if (!match) return undefined;
  return { frontMatter: match[1], body: normalised.slice(match[0].length).trim() };
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown field(s) ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  return issue.message;
}

/**
 * Reads every `*.md` file in `dir`, validates its front matter and the links between terms,
 * and builds the search index. Throws GlossaryValidationError listing every problem found.
 */
export function loadGlossary(dir: string = termsDir): Glossary {
  const issues: GlossaryIssue[] = [];
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".md"))
    .sort();
  const loaded: { term: GlossaryTerm; file: string }[] = [];

  for (const name of files) {
    const path = join(dir, name);
    const file = displayPath(path);
    const split = splitFrontMatter(readFileSync(path, "utf8"));
    if (!split) {
      issues.push({ file, field: "", message: "must start with YAML front matter between --- lines" });
      continue;
    }
    let data: unknown;
    try {
      data = parseYaml(split.frontMatter);
    } catch (error) {
      const detail = error instanceof YAMLParseError ? error.message.split("\n")[0] : String(error);
      issues.push({ file, field: "", message: `front matter is not valid YAML: ${detail}` });
      continue;
    }
    const parsed = GlossaryTermSchema.safeParse(data);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({ file, field: formatPath(issue.path), message: describeZodIssue(issue) });
      }
      continue;
    }
    parsed.data.sources.forEach((source, index) => {
      const problem = sourceProblem(source.url);
      if (problem) issues.push({ file, field: `sources[${index}].url`, message: `"${source.title}": ${problem}` });
    });
    const expectedId = basename(name, ".md");
    if (parsed.data.id !== expectedId) {
      issues.push({ file, field: "id", message: `must equal the file name "${expectedId}"` });
      continue;
    }
    loaded.push({ term: { ...parsed.data, body: split.body }, file });
  }

  const byId = new Map<string, GlossaryTerm>();
  const fileOf = new Map<string, string>();
  for (const { term, file } of loaded) {
    // File names are unique in a directory and ids must equal file names, so this is a guard for
    // case-insensitive file systems and future loaders rather than a common error.
    const existing = fileOf.get(term.id);
    if (existing) {
      issues.push({ file, field: "id", message: `duplicate id "${term.id}" (also in ${existing})` });
      continue;
    }
    byId.set(term.id, term);
    fileOf.set(term.id, file);
  }

  const codeOwner = new Map<string, string>();
  for (const { term, file } of loaded) {
    term.related.forEach((relatedId, index) => {
      if (relatedId === term.id) {
        issues.push({ file, field: `related[${index}]`, message: "a term must not list itself as related" });
      } else if (!byId.has(relatedId)) {
        issues.push({ file, field: `related[${index}]`, message: `unknown term id "${relatedId}"` });
      }
    });
    term.codes?.forEach((code, index) => {
      const key = `${code.scheme}:${code.code}`;
      const owner = codeOwner.get(key);
      if (owner !== undefined && owner !== term.id) {
        issues.push({
          file,
          field: `codes[${index}]`,
          message: `${code.scheme} code ${code.code} is already claimed by term "${owner}"`,
        });
      } else if (owner === term.id) {
        issues.push({ file, field: `codes[${index}]`, message: `${code.scheme} code ${code.code} is listed twice` });
      } else {
        codeOwner.set(key, term.id);
      }
    });
  }

  if (issues.length > 0) throw new GlossaryValidationError(issues);

  const terms = [...byId.values()].sort((a, b) => a.term.localeCompare(b.term, "en"));
  const byCodeMap = new Map<string, GlossaryTerm>();
  for (const [key, id] of codeOwner) byCodeMap.set(key, byId.get(id)!);
  const index = createSearchIndex(terms);

  return {
    terms: Object.freeze(terms),
    byId: (id) => byId.get(id),
    byCode: (scheme, code) => byCodeMap.get(`${scheme}:${code.trim().toUpperCase()}`),
    search: (query, first = 10) => index.search(query, first).map((hit) => hit.term),
  };
}

/** Every required code that no term in the glossary carries, as `{ scheme, code }` pairs. */
export function missingCodes(glossary: Glossary): { scheme: CodeScheme; code: string }[] {
  const missing: { scheme: CodeScheme; code: string }[] = [];
  for (const scheme of CODE_SCHEMES) {
    for (const code of REQUIRED_CODES[scheme]) {
      if (!glossary.byCode(scheme, code)) missing.push({ scheme, code });
    }
  }
  return missing;
}
