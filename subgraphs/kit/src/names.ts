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

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), stopping early past `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prevPrev = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i += 1) {
    const current = new Array<number>(cols).fill(0);
    current[0] = i;
    let rowMin = current[0];
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(prev[j] + 1, current[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, prevPrev[j - 2] + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = current;
  }
  return prev[cols - 1];
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
