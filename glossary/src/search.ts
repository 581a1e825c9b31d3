import type { GlossaryTerm } from "./schema.js";
import { editDistance } from "@safeguarding/shared/text";

/**
 * Control-room search over the glossary, in process. Everything that can be computed once is
 * computed when the index is built; a query only walks posting lists and, for words it does not
 * know, a length-bucketed slice of the key vocabulary.
 */

export interface SearchHit {
  readonly term: GlossaryTerm;
  readonly score: number;
}

export interface SearchIndex {
  search(query: string, first?: number): SearchHit[];
}

const MAX_QUERY_CHARS = 200;
const MAX_QUERY_TOKENS = 12;
const MAX_PREFIX_EXPANSIONS = 40;

// Field weights: names and abbreviations are what an officer types; body text only helps rank.
const WEIGHT = {
  term: 10,
  abbreviation: 10,
  code: 12,
  id: 6,
  legalBasis: 4,
  meaning: 2,
  category: 1.5,
  duties: 0.6,
  body: 0.4,
} as const;

const EXACT_NAME_BONUS = 1000;
const EXACT_ALIAS_BONUS = 900;
const NAME_PREFIX_BONUS = 200;
const ALIAS_PREFIX_BONUS = 120;

const STOPWORDS = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "for",
  "from",
  "has",
  "have",
  "in",
  "into",
  "is",
  "it",
  "its",
  "of",
  "on",
  "or",
  "that",
  "the",
  "their",
  "this",
  "to",
  "was",
  "what",
  "when",
  "where",
  "which",
  "who",
  "with",
]);

const SECTION_REFERENCE =
  /(?<![a-z0-9])(?:s|ss|sec|sect|section|sections)\s*\.?\s*(\d+[a-z]{0,2})(?![a-z])(?:\s*\(\s*(\d+[a-z]?)\s*\))?/g;

/**
 * Lower-cases, strips accents and apostrophes, and rewrites every common way of writing a
 * section reference ("s20", "s.20", "S 20", "sec 20", "section 20") to one token "s20".
 * A subsection adds a second token: "s38(6)" gives "s38 s38_6".
 */
export function normaliseText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/['’‘`]/g, "")
    .replace(/_/g, " ")
    .replace(SECTION_REFERENCE, (_match, section: string, subsection: string | undefined) =>
      subsection ? ` s${section} s${section}_${subsection} ` : ` s${section} `,
    )
    .replace(/[^a-z0-9_]+/g, " ")
    .trim();
}

/** A light plural/suffix folding so that "orders" finds "order" and "enquiries" finds "enquiry". */
export function stem(token: string): string {
  if (token.length > 4 && token.endsWith("ies")) return `${token.slice(0, -3)}y`;
  if (
    token.length > 3 &&
    token.endsWith("s") &&
    !token.endsWith("ss") &&
    !token.endsWith("us") &&
    !token.endsWith("is") &&
    !/\d/.test(token)
  ) {
    return token.slice(0, -1);
  }
  return token;
}

export function tokenise(text: string): string[] {
  const normalised = normaliseText(text);
  if (normalised === "") return [];
  return normalised
    .split(" ")
    .filter((t) => t !== "")
    .map(stem);
}

/** Spacing-insensitive key: "CP-IS", "cp is" and "CPIS" all give "cpis". */
function compactKey(text: string): string {
  return tokenise(text).join("");
}

interface VocabularyEntry {
  readonly token: string;
  /** Bit i set when the token contains letter i (a-z); digits and "_" are ignored. */
  readonly letters: number;
}

function letterMask(token: string): number {
  let mask = 0;
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i) - 97;
    if (code >= 0 && code < 26) mask |= 1 << code;
  }
  return mask;
}

function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

interface Posting {
  readonly doc: number;
  readonly weight: number;
  /** The token appears in a field that describes the term (name to meaning), not only in prose. */
  readonly key: boolean;
}

interface TokenMatch {
  readonly token: string;
  readonly quality: number;
}

interface Alias {
  readonly doc: number;
  readonly isName: boolean;
}

function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createSearchIndex(terms: readonly GlossaryTerm[]): SearchIndex {
  const docCount = terms.length;
  // token -> doc -> weight in that doc and whether it is in a key field
  const weights = new Map<string, Map<number, { weight: number; key: boolean }>>();
  const keyTokens = new Set<string>();
  const exactAliases = new Map<string, Alias[]>();
  const aliasKeys: { key: string; doc: number; isName: boolean }[] = [];

  const add = (token: string, doc: number, weight: number, key: boolean): void => {
    let perDoc = weights.get(token);
    if (!perDoc) {
      perDoc = new Map();
      weights.set(token, perDoc);
    }
    const current = perDoc.get(doc) ?? { weight: 0, key: false };
    // Repeats in lower fields add a little, but never outrank a higher field.
    perDoc.set(doc, {
      weight: current.weight >= weight ? current.weight + weight * 0.1 : weight + current.weight * 0.1,
      key: current.key || key,
    });
    if (key) keyTokens.add(token);
  };

  const addText = (text: string, doc: number, weight: number, key: boolean, joinPairs: boolean): void => {
    const tokens = tokenise(text);
    for (const token of tokens) add(token, doc, weight, key);
    if (joinPairs) {
      // Index "cp"+"is" as "cpis" and "return"+"home" as "returnhome" for run-together typing.
      for (let i = 0; i + 1 < tokens.length; i++) add(tokens[i] + tokens[i + 1], doc, weight * 0.9, key);
    }
  };

  const addAlias = (text: string, doc: number, isName: boolean): void => {
    const key = compactKey(text);
    if (key === "") return;
    const list = exactAliases.get(key) ?? [];
    if (!list.some((a) => a.doc === doc && a.isName === isName)) list.push({ doc, isName });
    exactAliases.set(key, list);
    aliasKeys.push({ key, doc, isName });
  };

  terms.forEach((term, doc) => {
    addText(term.term, doc, WEIGHT.term, true, true);
    addAlias(term.term, doc, true);
    for (const abbreviation of term.abbreviations) {
      addText(abbreviation, doc, WEIGHT.abbreviation, true, true);
      addAlias(abbreviation, doc, false);
    }
    for (const code of term.codes ?? []) {
      addText(code.code, doc, WEIGHT.code, true, false);
      addAlias(code.code, doc, false);
    }
    addText(term.id.replace(/-/g, " "), doc, WEIGHT.id, true, false);
    addText(term.legalBasis, doc, WEIGHT.legalBasis, true, false);
    addText(term.meaning, doc, WEIGHT.meaning, true, false);
    addText(term.category.replace(/-/g, " "), doc, WEIGHT.category, false, false);
    const duties = [...term.policeDuties.must, ...term.policeDuties.mustNot, ...term.policeDuties.call];
    addText(duties.join(" "), doc, WEIGHT.duties, false, false);
    addText(term.body, doc, WEIGHT.body, false, false);
  });

  const postings = new Map<string, readonly Posting[]>();
  for (const [token, perDoc] of weights) {
    postings.set(
      token,
      [...perDoc].map(([doc, { weight, key }]) => ({ doc, weight, key })),
    );
  }

  const sortedKeys = [...keyTokens].sort();
  const keysByLength = new Map<number, VocabularyEntry[]>();
  for (const token of sortedKeys) {
    const bucket = keysByLength.get(token.length) ?? [];
    bucket.push({ token, letters: letterMask(token) });
    keysByLength.set(token.length, bucket);
  }

  const expandToken = (token: string, isLast: boolean): TokenMatch[] => {
    const matches: TokenMatch[] = [];
    const exactKey = keyTokens.has(token);
    if (postings.has(token)) matches.push({ token, quality: 1 });

    const hasDigit = /\d/.test(token);
    const minPrefix = isLast ? 2 : 3;
    if (token.length >= minPrefix) {
      let count = 0;
      for (let i = lowerBound(sortedKeys, token); i < sortedKeys.length && count < MAX_PREFIX_EXPANSIONS; i++) {
        const candidate = sortedKeys[i];
        if (!candidate.startsWith(token)) break;
        if (candidate === token) continue;
        count++;
        // A longer completion of what was typed is a good but not perfect match.
        const completeness = token.length / candidate.length;
        matches.push({ token: candidate, quality: (hasDigit ? 0.3 : 0.55) + 0.3 * completeness });
      }
    }

    if (!exactKey && !hasDigit && token.length >= 4) {
      const maxDistance = token.length >= 8 ? 2 : 1;
      const letters = letterMask(token);
      for (let len = token.length - maxDistance; len <= token.length + maxDistance; len++) {
        for (const candidate of keysByLength.get(len) ?? []) {
          // Each letter one word has and the other lacks costs at least one edit: a cheap filter
          // that skips most of the vocabulary before the distance is computed.
          if (popcount(letters & ~candidate.letters) > maxDistance) continue;
          if (popcount(candidate.letters & ~letters) > maxDistance) continue;
          const distance = editDistance(token, candidate.token, maxDistance);
          if (distance <= maxDistance) matches.push({ token: candidate.token, quality: distance === 1 ? 0.7 : 0.5 });
        }
      }
      // A misspelt word still being typed ("emergan" for "emergency"): compare with the start of
      // longer words, only when nothing better was found.
      if (matches.length === 0 && isLast && token.length >= 5) {
        for (let len = token.length + 1; len <= token.length + 10; len++) {
          for (const candidate of keysByLength.get(len) ?? []) {
            if (popcount(letters & ~candidate.letters) > 1) continue;
            if (editDistance(token, candidate.token.slice(0, token.length), 1) <= 1) {
              matches.push({ token: candidate.token, quality: 0.45 });
            }
          }
        }
      }
    }
    return matches;
  };

  const search = (query: string, first = 10): SearchHit[] => {
    if (first <= 0) return [];
    const trimmedQuery = query.slice(0, MAX_QUERY_CHARS);
    const tokens = tokenise(trimmedQuery).slice(0, MAX_QUERY_TOKENS);
    if (tokens.length === 0) return [];

    const scores = new Float64Array(docCount);
    const matchedMask = new Uint32Array(docCount);
    const best = new Float64Array(docCount);
    const inKeyField = new Uint8Array(docCount);
    const touched: number[] = [];
    const significant = tokens.map((t) => !STOPWORDS.has(t) || tokens.every((u) => STOPWORDS.has(u)));
    const significantMask = significant.reduce((mask, isSig, i) => (isSig ? mask | (1 << i) : mask), 0);

    const scoreToken = (matches: readonly TokenMatch[], mask: number, factor: number): void => {
      touched.length = 0;
      for (const match of matches) {
        const list = postings.get(match.token);
        if (!list) continue;
        for (const posting of list) {
          const value = posting.weight * match.quality;
          if (best[posting.doc] === 0) touched.push(posting.doc);
          if (value > best[posting.doc]) best[posting.doc] = value;
          if (posting.key) inKeyField[posting.doc] = 1;
        }
      }
      if (touched.length === 0) return;
      // One inverse document frequency for everything this query word matched (exact, prefix and
      // fuzzy together), counted over the fields that describe a term rather than boilerplate such
      // as "call the Emergency Duty Team". A rare joined token reached by prefix cannot then
      // outweigh the word the officer actually typed.
      let keyDocs = 0;
      for (const doc of touched) keyDocs += inKeyField[doc];
      const idf = Math.log(1 + docCount / (keyDocs > 0 ? keyDocs : touched.length)) * factor;
      for (const doc of touched) {
        scores[doc] += best[doc] * idf;
        matchedMask[doc] |= mask;
        best[doc] = 0;
        inKeyField[doc] = 0;
      }
    };

    tokens.forEach((token, i) => {
      scoreToken(expandToken(token, i === tokens.length - 1), 1 << i, significant[i] ? 1 : 0.1);
    });
    for (let i = 0; i + 1 < tokens.length; i++) {
      const joined = tokens[i] + tokens[i + 1];
      if (postings.has(joined)) scoreToken([{ token: joined, quality: 1 }], (1 << i) | (1 << (i + 1)), 1);
    }

    const significantCount = significant.filter(Boolean).length;
    const queryKey = tokens.join("");
    const aliasHits = exactAliases.get(queryKey) ?? [];
    const bonus = new Float64Array(docCount);
    for (const alias of aliasHits) {
      bonus[alias.doc] = Math.max(bonus[alias.doc], alias.isName ? EXACT_NAME_BONUS : EXACT_ALIAS_BONUS);
    }
    if (queryKey.length >= 3) {
      for (const entry of aliasKeys) {
        if (entry.key.length > queryKey.length && entry.key.startsWith(queryKey)) {
          const prefixBonus = entry.isName ? NAME_PREFIX_BONUS : ALIAS_PREFIX_BONUS;
          if (prefixBonus > bonus[entry.doc]) bonus[entry.doc] = prefixBonus;
        }
      }
    }

    const hits: { doc: number; score: number }[] = [];
    for (let doc = 0; doc < docCount; doc++) {
      if (scores[doc] === 0 && bonus[doc] === 0) continue;
      let matched = 0;
      for (let m = matchedMask[doc] & significantMask; m !== 0; m &= m - 1) matched++;
      const coverage = significantCount === 0 ? 1 : matched / significantCount;
      const score = scores[doc] * (0.2 + 0.8 * coverage * coverage) + bonus[doc];
      hits.push({ doc, score });
    }
    hits.sort((a, b) => b.score - a.score || terms[a.doc].term.localeCompare(terms[b.doc].term, "en"));
    return hits.slice(0, first).map(({ doc, score }) => ({ term: terms[doc], score }));
  };

  return { search };
}
