import { editDistance } from "@safeguarding/shared/text";

/** Letters with no separate accent mark to strip, written the way English records usually spell them. */
const LETTERS: Record<string, string> = {
  ł: "l",
  ø: "o",
  ß: "ss",
  æ: "ae",
  œ: "oe",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
  ħ: "h",
};

/** Lower case, accents removed, anything but letters and digits turned into single spaces. */
export function normaliseName(value: string): string {
  return value
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[łøßæœđðþıħ]/g, (letter) => LETTERS[letter])
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** How well one typed word matches one name word, 0..1: exact 1, prefix 0.9, small misspelling 0.6-0.8. */
function wordScore(typed: string, word: string): number {
  if (typed === word) return 1;
  if (word.startsWith(typed) && typed.length >= 2) return 0.75 + 0.15 * (typed.length / word.length);
  const allowed = typed.length <= 4 ? 1 : 2;
  const distance = editDistance(typed, word.slice(0, Math.max(typed.length, word.length)), allowed);
  if (distance <= allowed) return 0.8 - 0.1 * distance;
  return 0;
}

/**
 * Scores a typed name against a child's names: every typed word must match some name word. Returns 0 when
 * any typed word matches nothing, so unrelated children never appear.
 */
export function nameScore(typed: string, names: readonly string[]): number {
  const typedWords = normaliseName(typed).split(" ").filter(Boolean);
  const nameWords = names.flatMap((name) => normaliseName(name).split(" ").filter(Boolean));
  if (typedWords.length === 0 || nameWords.length === 0) return 0;
  let total = 0;
  for (const typedWord of typedWords) {
    let best = 0;
    for (const nameWord of nameWords) best = Math.max(best, wordScore(typedWord, nameWord));
    if (best === 0) return 0;
    total += best;
  }
  return total / typedWords.length;
}
