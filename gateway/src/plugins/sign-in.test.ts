import { describe, expect, it } from "vitest";
import { anonymousMayRun } from "./sign-in.js";

const may = (query: string, operationName?: string) => anonymousMayRun({ query, operationName }, "", 5000);

describe("what runs without a token", () => {
  it("runs glossary look-ups, however they are written", () => {
    expect(may(`{ glossarySearch(query: "ICO") { id } }`)).toBe(true);
    expect(may(`query Q { glossaryTerm(id: "interim-care-order") { term } __typename }`)).toBe(true);
    expect(may(`{ ...G } fragment G on Query { glossarySearch(query: "s20") { id } }`)).toBe(true);
    expect(anonymousMayRun(undefined, `?query=${encodeURIComponent('{ glossaryTerm(id: "x") { id } }')}`, 5000)).toBe(
      true,
    );
  });

  it("refuses anything else before validation: a child, a mistake, a probe of the schema, a write", () => {
    expect(may(`{ child(id: "9990000018") { id } }`)).toBe(false);
    expect(may(`{ nope }`)).toBe(false);
    expect(may(`{ glossarySearch(query: "ICO") { id } child(id: "1") { id } }`)).toBe(false);
    expect(may(`{ __schema { types { name } } }`)).toBe(false);
    expect(may(`{ ... on Query { child(id: "1") { id } } }`)).toBe(false);
    expect(may(`{ ...Missing }`)).toBe(false);
    expect(may(`mutation { glossarySearch }`)).toBe(false);
    expect(may(`{ glossarySearch(query: `)).toBe(false);
    expect(may(``)).toBe(false);
    expect(anonymousMayRun({ extensions: { persistedQuery: { sha256Hash: "x" } } }, "", 5000)).toBe(false);
  });

  it("judges the operation that would run when a document holds several", () => {
    const document = `query A { glossarySearch(query: "ICO") { id } } query B { child(id: "1") { id } }`;
    expect(may(document, "A")).toBe(true);
    expect(may(document, "B")).toBe(false);
    expect(may(document)).toBe(false);
  });

  it("does not parse a document past the token limit", () => {
    const huge = `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: glossarySearch(query: "x") { id }`).join(" ")} }`;
    expect(anonymousMayRun({ query: huge }, "", 5000)).toBe(false);
  });
});
