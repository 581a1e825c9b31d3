import { readFileSync } from "node:fs";
import { buildSchema, Kind, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { findDemoUser } from "@safeguarding/shared/demo-users";
import { EXAMPLE_OPERATIONS } from "./examples.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const apiSchema = buildSchema(readFileSync(new URL("../generated/api-schema.graphql", import.meta.url), "utf8"));

/** Every `graphql` fenced block of a Markdown text, trimmed, in order. */
function graphqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)].map((match) => match[1].trim());
}

describe("the explorer's example operations", () => {
  it("are the README's graphql blocks, word for word and in the README's order", () => {
    expect(graphqlBlocks(readme)).toEqual(EXAMPLE_OPERATIONS.map((example) => example.query));
  });

  it.each(EXAMPLE_OPERATIONS.map((example) => [example.name, example] as const))(
    "%s is one operation of that name, valid against the API schema",
    (name, example) => {
      const document = parse(example.query);
      expect(validate(apiSchema, document).map((error) => error.message)).toEqual([]);
      expect(document.definitions).toEqual([
        expect.objectContaining({ kind: Kind.OPERATION_DEFINITION, name: expect.objectContaining({ value: name }) }),
      ]);
    },
  );

  it("name demo users who exist, and no user only for the glossary, which needs no sign-in", () => {
    for (const example of EXAMPLE_OPERATIONS) {
      if (example.signInAs) expect(findDemoUser(example.signInAs), example.name).toBeDefined();
      else expect(example.query, example.name).not.toMatch(/\b(child|children|mutation)\b/);
    }
  });
});
