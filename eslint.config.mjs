// One lint configuration for every package. Type-aware rules are left to tsc (strict) to keep lint fast.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

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
  {
    files: ["portal/src/scripts/**", "test/portal/**"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
);
