// npm run bench -w @safeguarding/gateway: what the operation limits cost per request, ours (src/limits.ts) against
// @escape.tech/graphql-armor set up to enforce the same limits (max-depth, max-aliases, cost-limit counting one per
// field), over the shipped client operations and the attacks the tests send. Prints microseconds per operation for
// the limit rules alone and for the whole validation Apollo runs (graphql's rules plus the limits), and what each
// says when it refuses. Build first (npm run build). A few seconds; run it more than once and compare.
import { readFileSync } from "node:fs";
import { Supergraph } from "@apollo/federation-internals";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { GraphQLError, getIntrospectionQuery, parse, specifiedRules, validate } from "graphql";
import { CLIENT_OPERATIONS } from "../dist/client-operations.js";
import { DEFAULT_LIMITS, operationLimitRule } from "../dist/limits.js";

const schema = Supergraph.build(readFileSync(new URL("../supergraph.graphql", import.meta.url), "utf8"))
  .apiSchema()
  .toGraphQLJSSchema();
const limits = DEFAULT_LIMITS;

// graphql-armor throws its own "Syntax Error: …" without a code; reporting through onReject instead keeps the
// gateway's stable code, as the tests require. Its wording is kept: armor gives only the message, not the count.
const asLimitError = (context, error) =>
  context.reportError(new GraphQLError(error.message, { extensions: { code: "OPERATION_LIMIT_EXCEEDED" } }));
const callbacks = { propagateOnRejection: false, onReject: [asLimitError] };
const armorRules = new ApolloArmor({
  maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...callbacks },
  maxAliases: { n: limits.maxAliases, allowList: [], ...callbacks },
  costLimit: {
    maxCost: limits.maxFields,
    objectCost: 1,
    scalarCost: 1,
    depthCostFactor: 1,
    flattenFragments: true,
    ignoreIntrospection: true,
    ...callbacks,
  },
  // Tokens are counted by graphql's own parser (parseOptions.maxTokens); the gateway has no directive limit.
  maxTokens: { enabled: false },
  maxDirectives: { enabled: false },
  blockFieldSuggestion: { enabled: false },
}).protect().validationRules;
const ourRules = [operationLimitRule(limits, true)];

const deep = (levels) =>
  `{ glossaryTerm(id: "interim-care-order") { ${"relatedTerms { ".repeat(levels)}id${" }".repeat(levels)} } }`;
const PURPOSE = 'purpose: { code: MISSING_EPISODE, reference: "INC-1" }';
const operations = [
  ...CLIENT_OPERATIONS,
  { name: "Introspection", body: getIntrospectionQuery() },
  { name: "Deep (20 levels)", body: deep(20) },
  {
    name: "Alias flood (40)",
    body: `{ ${Array.from({ length: 40 }, (_, i) => `c${i}: child(id: "9990000018", ${PURPOSE}) { id }`).join(" ")} }`,
  },
  { name: "Wide (801 fields)", body: `{ glossarySearch(query: "ico") { ${Array(800).fill("id").join(" ")} } }` },
].map((operation) => ({ ...operation, document: parse(operation.body) }));

const variants = {
  ours: ourRules,
  armor: armorRules,
  "graphql+ours": [...specifiedRules, ...ourRules],
  "graphql+armor": [...specifiedRules, ...armorRules],
};

/**
 * Median µs per validation of each variant over short interleaved rounds, so a busy machine (this one runs other
 * benchmarks) slows every variant alike rather than whichever ran during the burst.
 */
function measure(document) {
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  // About 2 ms a sample, whatever the operation costs.
  const once = process.hrtime.bigint();
  validate(schema, document, variants["graphql+ours"]);
  const runs = Math.max(1, Math.round(2e6 / Number(process.hrtime.bigint() - once)));
  for (let round = 0; round < 11; round += 1) {
    for (const [name, rules] of Object.entries(variants)) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < runs; i += 1) validate(schema, document, rules);
      samples[name].push(Number(process.hrtime.bigint() - start) / 1e3 / runs);
    }
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

const verdict = (document, rules) =>
  validate(schema, document, rules)
    .filter((e) => e.extensions.code === "OPERATION_LIMIT_EXCEEDED")
    .map((e) => e.message)
    .join(" / ") || "accepted";

const fixed = (n) => n.toFixed(1).padStart(14);
console.log(`Node ${process.version}; limits ${JSON.stringify(limits)}`);
console.log("µs per validation (median of interleaved rounds): the limit rules alone, then with graphql's own rules\n");
console.log(
  `${"operation".padEnd(20)}${Object.keys(variants)
    .map((h) => h.padStart(14))
    .join("")}`,
);
const totals = Object.fromEntries(Object.keys(variants).map((name) => [name, 0]));
const refusals = [];
for (const { name, document } of operations) {
  for (let i = 0; i < 20; i += 1) for (const rules of Object.values(variants)) validate(schema, document, rules);
  const m = measure(document);
  for (const key of Object.keys(totals)) totals[key] += m[key];
  console.log(
    `${name.padEnd(20)}${Object.keys(variants)
      .map((key) => fixed(m[key]))
      .join("")}`,
  );
  const ours = verdict(document, ourRules);
  const armor = verdict(document, armorRules);
  if (ours !== "accepted" || armor !== "accepted") refusals.push(`${name}:\n    ours:  ${ours}\n    armor: ${armor}`);
}
console.log(
  `${"total".padEnd(20)}${Object.keys(variants)
    .map((key) => fixed(totals[key]))
    .join("")}`,
);
console.log(`\nRefused (anything not listed both accept):\n  ${refusals.join("\n  ")}`);
