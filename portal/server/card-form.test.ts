import { describe, expect, it } from "vitest";
import { cardPath, formValuesFrom, parsePurpose, purposeMissing, renderCardForm } from "./card-form.ts";

describe("the reason for opening a card", () => {
  it("accepts a purpose and reference, trimmed, with an optional agreement", () => {
    expect(parsePurpose({ purpose: "MISSING_EPISODE", reference: "  INC-1 ", agreement: " " })).toEqual({
      ok: true,
      value: { code: "MISSING_EPISODE", reference: "INC-1", agreement: null },
    });
    expect(parsePurpose({ purpose: "EMERGENCY", reference: "INC-2", agreement: "DSA 7" })).toMatchObject({
      ok: true,
      value: { agreement: "DSA 7" },
    });
  });

  it("names each missing answer, in the order the form asks", () => {
    expect(parsePurpose({ reference: "" })).toEqual({
      ok: false,
      errors: [
        { field: "purpose", message: "Choose why you need the card" },
        { field: "reference", message: "Enter the incident, case or meeting number this look-up is for" },
      ],
    });
    expect(parsePurpose({ purpose: "CURIOSITY", reference: "INC-1" })).toMatchObject({
      ok: false,
      errors: [{ field: "purpose" }],
    });
  });

  it("tells a bare card link from a form sent with gaps", () => {
    expect(purposeMissing(formValuesFrom(new URLSearchParams("")))).toBe(true);
    expect(purposeMissing(formValuesFrom(new URLSearchParams("reference=&agreement=")))).toBe(false);
  });

  it("puts the reason in the card's address, encoded", () => {
    expect(cardPath("9990000018", { code: "CARE_PLANNING", reference: "CP 12/3&x", agreement: null })).toBe(
      "/action-card/9990000018?purpose=CARE_PLANNING&reference=CP%2012%2F3%26x",
    );
    expect(cardPath("9990000018", { code: "EMERGENCY", reference: "I", agreement: "DSA 7" })).toBe(
      "/action-card/9990000018?purpose=EMERGENCY&reference=I&agreement=DSA%207",
    );
  });
});

describe("the look-up form", () => {
  it("keeps what was typed, escaped, and ties each error to its field", () => {
    const form = renderCardForm({ nhs: '12"3', purpose: "EMERGENCY", reference: "<b>" }, [
      { field: "nhs", message: "An NHS number has 10 digits; this one has 3." },
    ]);
    expect(form).toContain('value="12&quot;3"');
    expect(form).toContain('aria-describedby="nhs-number-hint nhs-number-error"');
    expect(form).toContain('id="nhs-number-error" class="govuk-error-message"');
    expect(form).toContain('value="EMERGENCY" checked');
    expect(form).toContain('value="&lt;b&gt;"');
    expect(form).not.toContain("reference-error");
  });

  it("asks only why when the child is known, and submits to that child's card", () => {
    const form = renderCardForm({}, [{ field: "reference", message: "Enter the reference" }], {
      childId: "9990000018",
    });
    expect(form).toContain('action="/action-card/9990000018"');
    expect(form).not.toContain('name="nhs"');
    expect(form).toContain('aria-describedby="reference-hint reference-error"');
    expect(form).toContain("govuk-form-group govuk-form-group--error");
  });
});
