// Search latency benchmark over the real glossary. Build first (npm run build), then run
// `npm run bench` in glossary/ or `npm exec -- node glossary/bench/search.mjs` from the repo root.
import { loadGlossary } from "../dist/index.js";

const QUERY_COUNT = Number(process.env.BENCH_QUERIES ?? 5000);
const WARMUP_ROUNDS = 2;

// Small seeded PRNG so every run times the same query mix.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20261126);
const pick = (items) => items[Math.floor(random() * items.length)];
const letters = "abcdefghijklmnopqrstuvwxyz";

function misspell(word) {
  if (word.length < 4) return word;
  const i = 1 + Math.floor(random() * (word.length - 2));
  switch (Math.floor(random() * 4)) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1); // drop a letter
    case 1:
      return word.slice(0, i) + pick(letters) + word.slice(i + 1); // wrong letter
    case 2:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2); // swap two letters
    default:
      return word.slice(0, i) + pick(letters) + word.slice(i); // extra letter
  }
}

const loadStarted = performance.now();
const glossary = loadGlossary();
const loadMs = performance.now() - loadStarted;
const terms = glossary.terms;
const sectionNumbers = ["8", "17", "20", "25", "31", "38", "43", "44", "46", "47", "49", "50", "135", "136", "62"];
const sectionForms = [
  (n) => `s${n}`,
  (n) => `s.${n}`,
  (n) => `S ${n}`,
  (n) => `sec ${n}`,
  (n) => `section ${n}`,
  (n) => `s ${n} CA 1989`,
];

const generators = [
  () => pick(terms).term,
  () => pick(pick(terms).abbreviations.length ? pick(terms).abbreviations : ["ICO"]),
  () => {
    const codes = pick(terms).codes ?? [{ code: "C1" }];
    return pick(codes).code;
  },
  () => {
    const name = pick(terms).term;
    return name.slice(0, 2 + Math.floor(random() * Math.max(1, name.length - 2)));
  },
  () =>
    pick(terms)
      .term.split(" ")
      .map((w) => (random() < 0.5 ? misspell(w) : w))
      .join(" "),
  () => pick(sectionForms)(pick(sectionNumbers)),
  () => {
    const words = pick(terms).meaning.split(/\s+/);
    const start = Math.floor(random() * words.length);
    return words.slice(start, start + 1 + Math.floor(random() * 3)).join(" ");
  },
  () =>
    Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
      misspell(pick(terms).term.split(" ")[0].toLowerCase()),
    ).join(" "),
  () => Array.from({ length: 5 + Math.floor(random() * 8) }, () => pick(letters)).join(""),
];

const queries = Array.from({ length: QUERY_COUNT }, () => pick(generators)());

const coldStarted = performance.now();
glossary.search(queries[0]);
const coldMs = performance.now() - coldStarted;

for (let round = 0; round < WARMUP_ROUNDS; round++) for (const q of queries) glossary.search(q);

const timings = new Float64Array(queries.length);
const started = performance.now();
for (let i = 0; i < queries.length; i++) {
  const t0 = performance.now();
  glossary.search(queries[i]);
  timings[i] = performance.now() - t0;
}
const elapsed = performance.now() - started;

const sorted = Array.from(timings).sort((a, b) => a - b);
const percentile = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const fmt = (ms) => ms.toFixed(3);

console.log(`glossary: ${terms.length} terms; ${queries.length} queries (seeded mix of names, abbreviations,`);
console.log(`codes, typed prefixes, misspellings, section references, meaning phrases and nonsense)`);
console.log(
  `node ${process.version}; load + validate + index ${loadMs.toFixed(1)} ms; first (cold) query ${coldMs.toFixed(3)} ms`,
);
console.log(
  `p50 ${fmt(percentile(50))} ms  p95 ${fmt(percentile(95))} ms  p99 ${fmt(percentile(99))} ms  max ${fmt(sorted[sorted.length - 1])} ms`,
);
console.log(`throughput ${Math.round(queries.length / (elapsed / 1000))} queries/s (single thread, sequential)`);
