import { z } from "zod";

export const GLOSSARY_CATEGORIES = [
  "order",
  "legal-status",
  "meeting",
  "role",
  "agency",
  "process",
  "health",
  "exploitation",
  "data-protection",
] as const;
export type GlossaryCategory = (typeof GLOSSARY_CATEGORIES)[number];

export const CODE_SCHEMES = ["SSDA903_LEGAL_STATUS", "CP_CATEGORY", "MISSING_RISK_LEVEL", "SSDA903_PLACEMENT"] as const;
export type CodeScheme = (typeof CODE_SCHEMES)[number];

/**
 * Every code each scheme must cover. The subgraphs use these lists as their enum values, so the
 * scheme and code spellings are part of the public contract.
 * SSDA903 lists: DfE validation rules as implemented by data-to-insight/csc-validator-be-903
 * (legal status rule 144; placement list 2024-25, which added K3). CP categories: CIN census.
 * Missing risk levels: College of Policing APP range, very low to high.
 */
export const REQUIRED_CODES = {
  SSDA903_LEGAL_STATUS: ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"],
  CP_CATEGORY: ["NEG", "PHY", "SAB", "EMO", "MUL"],
  MISSING_RISK_LEVEL: ["VERY_LOW", "LOW", "MEDIUM", "HIGH"],
  SSDA903_PLACEMENT: [
    "A3",
    "A4",
    "A5",
    "A6",
    "H5",
    "K1",
    "K2",
    "K3",
    "P1",
    "P2",
    "P3",
    "R1",
    "R2",
    "R3",
    "R5",
    "S1",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "Z1",
  ],
} as const satisfies Record<CodeScheme, readonly string[]>;

const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Counts sentences the way a reader would: a full stop, question mark or exclamation mark ends a
 * sentence only when followed by the end of the text or by whitespace and a capital letter, so
 * "s.38" or "e.g. the council" do not count as sentence ends.
 */
export function countSentences(text: string): number {
  const trimmed = text.trim();
  if (trimmed === "") return 0;
  const inner = trimmed.match(/[.!?]+["')\]]*\s+(?=[A-Z"'(])/g)?.length ?? 0;
  return inner + 1;
}

const nonEmpty = z.string().trim().min(1, { error: "must not be empty" });

const TermIdSchema = z
  .string()
  .regex(ID_PATTERN, { error: "must be kebab-case (lower-case letters and digits joined by single hyphens)" });

const SourceSchema = z.strictObject({
  title: nonEmpty,
  url: z.url({ protocol: /^https?$/, error: "must be a valid http(s) URL" }),
});

const CodeSchema = z
  .strictObject({
    scheme: z.enum(CODE_SCHEMES),
    code: nonEmpty,
  })
  .superRefine((value, ctx) => {
    const known: readonly string[] = REQUIRED_CODES[value.scheme];
    if (!known.includes(value.code)) {
      ctx.addIssue({
        code: "custom",
        path: ["code"],
        message: `"${value.code}" is not a known ${value.scheme} code (expected one of ${known.join(", ")})`,
      });
    }
  });

const PoliceDutiesSchema = z.strictObject({
  must: z.array(nonEmpty).min(1, { error: "must list at least one thing an officer must do" }),
  mustNot: z.array(nonEmpty),
  call: z.array(nonEmpty),
});

// YAML parsers that follow YAML 1.1 (js-yaml, used by some site builders) turn an unquoted
// 2026-11-26 into a Date; accept that and keep the ISO string.
const isoDate = z.preprocess(
  (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value),
  z.iso.date({ error: "must be an ISO date (YYYY-MM-DD)" }),
);

/** The front matter of one glossary term file (`terms/<id>.md`). */
export const GlossaryTermSchema = z.strictObject({
  id: TermIdSchema,
  term: nonEmpty,
  abbreviations: z.array(nonEmpty),
  category: z.enum(GLOSSARY_CATEGORIES),
  legalBasis: nonEmpty,
  meaning: nonEmpty.refine((text) => countSentences(text) <= 3, {
    error: "must be at most three sentences",
  }),
  policeDuties: PoliceDutiesSchema,
  related: z.array(TermIdSchema),
  sources: z.array(SourceSchema).min(1, { error: "must name at least one source" }),
  lastReviewed: isoDate,
  codes: z.array(CodeSchema).optional(),
});

export type GlossaryTermFrontMatter = z.infer<typeof GlossaryTermSchema>;
export type GlossarySource = z.infer<typeof SourceSchema>;
export type GlossaryCode = z.infer<typeof CodeSchema>;
export type PoliceDuties = z.infer<typeof PoliceDutiesSchema>;

/** A loaded term: the validated front matter plus the Markdown body of the file. */
export type GlossaryTerm = GlossaryTermFrontMatter & { readonly body: string };
