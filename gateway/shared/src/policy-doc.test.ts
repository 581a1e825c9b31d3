import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderAccessPolicyMarkdown } from "./policy-doc.js";

describe("docs/ACCESS.md", () => {
  it("is exactly what the policy table generates (run npm run docs:access after changing the table)", () => {
    const committed = readFileSync(new URL("../../../docs/ACCESS.md", import.meta.url), "utf8");
    expect(committed).toBe(renderAccessPolicyMarkdown());
  });
});
