import { buildSchema, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, operationLimitRule } from "./limits.js";

const schema = buildSchema(`
  type Term { id: ID! related: [Term!]! }
  type Query { term(id: ID!): Term }
`);
const check = (source: string, limits = DEFAULT_LIMITS) =>
  validate(schema, parse(source), [operationLimitRule(limits)]);
const nested = (levels: number) => `{ term(id: "a") { ${"related { ".repeat(levels)}id${" }".repeat(levels)} } }`;

describe("operation limits", () => {
  it("lets an ordinary query through", () => {
    expect(check(nested(3))).toEqual([]);
  });

  it("refuses a query nested deeper than the limit, saying how deep", () => {
    const errors = check(nested(12));
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/14 levels deep; the limit is 10/);
    expect(errors[0].extensions.code).toBe("OPERATION_LIMIT_EXCEEDED");
  });

  it("counts depth through fragments, and survives a fragment cycle", () => {
    const viaFragments = `{ term(id: "a") { ...A } } fragment A on Term { related { related { ...B } } } fragment B on Term { related { related { related { related { related { related { related { id } } } } } } } }`;
    expect(check(viaFragments)[0].message).toMatch(/levels deep/);
    expect(() => check(`{ term(id: "a") { ...A } } fragment A on Term { related { ...A } }`)).not.toThrow();
  });

  it("refuses an alias flood", () => {
    const flood = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: term(id: "${i}") { id }`).join(" ")} }`;
    expect(check(flood).map((e) => e.message)).toEqual([expect.stringMatching(/31 aliases; the limit is 30/)]);
  });

  it("refuses a query selecting more fields than the limit", () => {
    const wide = `{ term(id: "a") { ${Array.from({ length: 801 }, () => "id").join(" ")} } }`;
    expect(check(wide).map((e) => e.message)).toEqual([expect.stringMatching(/selects 802 fields; the limit is 800/)]);
  });
});
