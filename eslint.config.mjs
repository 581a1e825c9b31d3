// One lint configuration for every package. Type-aware rules are left to tsc (strict) to keep lint fast.
import { readdirSync } from "node:fs";
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

// Every agency is a folder under subgraphs/ beside the kit; read from disk, since lint runs before any build.
const AGENCIES = readdirSync(new URL("subgraphs", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== "kit")
  .map((entry) => entry.name);

/**
 * Refuses imports of these packages (and their subpaths) and of any path matching `pathRegex`, for static imports,
 * re-exports and dynamic import(). `packageRegex` says the same as `packages` for import(), which has no glob option.
 */
function wall({ packages, packageRegex, pathRegex, message }) {
  // esquery's regex literals cannot hold a "/", so import() is matched with "\x2F" in its place.
  const selector = (regex) => `ImportExpression[source.value=/${regex.replaceAll("/", "\\x2F")}/]`;
  return {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          { group: packages.flatMap((name) => [name, `${name}/*`]), message },
          { regex: pathRegex, message },
        ],
      },
    ],
    "no-restricted-syntax": [
      "error",
      { selector: selector(packageRegex), message },
      { selector: selector(pathRegex), message },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/server-dist/**",
      "**/generated/**",
      "**/node_modules/**",
      "portal/.astro/**",
      "portal/public/**",
      "**/*.d.mts",
      "data/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // type-graphql resolver classes and Kysely migrations take `any`-typed builders by design.
      "@typescript-eslint/no-explicit-any": "off",
      // Decorated classes need `Function` for type-graphql's resolver lists.
      "@typescript-eslint/no-unsafe-function-type": "off",
    },
  },
  // The walls of issue 10. The portal is a web server that asks the gateway over HTTP: it imports neither the
  // subgraph kit (type-graphql and all) nor any agency, by package or by path.
  {
    files: ["portal/**"],
    rules: wall({
      packages: ["@safeguarding/kit", "@safeguarding/*-subgraph"],
      packageRegex: "^@safeguarding/(kit|[\\w-]+-subgraph)(/|$)",
      pathRegex: "(^|/)subgraphs(/|$)",
      message:
        "The portal asks the gateway over HTTP: it must not import the subgraph kit or an agency's subgraph. Use @safeguarding/shared.",
    }),
  },
  // Each agency answers only for what it holds: no agency imports another.
  ...AGENCIES.map((agency) => {
    const others = AGENCIES.filter((other) => other !== agency);
    return {
      files: [`subgraphs/${agency}/**`],
      rules: wall({
        packages: others.map((other) => `@safeguarding/${other}-subgraph`),
        packageRegex: `^@safeguarding/(${others.join("|")})-subgraph(/|$)`,
        pathRegex: `^(\\.\\./)+(subgraphs/)?(${others.join("|")})(/|$)`,
        message: `The ${agency} subgraph must not import another agency's code: share it through @safeguarding/kit or @safeguarding/shared.`,
      }),
    };
  }),
  {
    files: ["portal/src/scripts/**", "test/portal/**"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  // The API explorer runs in the browser only.
  {
    files: ["gateway/explorer/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
);
