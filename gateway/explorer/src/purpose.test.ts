import { describe, expect, it } from "vitest";
import { applyPurpose, purposeArgument } from "./purpose.js";

const choice = { code: "MISSING_EPISODE", reference: "INC-1" };

describe("the Purpose helper", () => {
  it("writes the argument with the reference quoted, and the agreement only when given", () => {
    expect(purposeArgument(choice)).toBe('purpose: { code: MISSING_EPISODE, reference: "INC-1" }');
    expect(purposeArgument({ ...choice, reference: 'say "x"', agreement: " ISA-7 " })).toBe(
      'purpose: { code: MISSING_EPISODE, reference: "say \\"x\\"", agreement: "ISA-7" }',
    );
  });

  it("replaces every purpose argument in the operation", () => {
    const query = `{ a: child(id: "1", purpose: { code: CARE_PLANNING, reference: "C" }) { id }
  b: children(search: { name: "x" }, purpose:{code: EMERGENCY,reference:"E"}) { id } }`;
    const { query: updated, changed } = applyPurpose(query, choice);
    expect(changed).toBe(2);
    expect(updated.match(/purpose: \{ code: MISSING_EPISODE, reference: "INC-1" \}/g)).toHaveLength(2);
    expect(updated).not.toMatch(/CARE_PLANNING|EMERGENCY/);
  });

  it("adds one to a read of a child that has none, and leaves other fields alone", () => {
    const { query, changed } = applyPurpose(
      '{ child(id: "999 000 0018") { id } glossaryTerm(id: "s20") { id } }',
      choice,
    );
    expect(changed).toBe(1);
    expect(query).toBe(
      '{ child(id: "999 000 0018", purpose: { code: MISSING_EPISODE, reference: "INC-1" }) { id } glossaryTerm(id: "s20") { id } }',
    );
  });

  it("changes nothing in an operation that reads no child", () => {
    expect(applyPurpose('{ glossarySearch(query: "s.20") { id } }', choice).changed).toBe(0);
  });
});
