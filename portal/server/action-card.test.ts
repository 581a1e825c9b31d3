import { describe, expect, it } from "vitest";
import { renderActionCard, renderLookupForm, type ActionCard } from "./action-card.ts";

const source = { agency: "SOCIAL_CARE" as const, system: "Case management", department: "Children's Services" };
const asOf = "2026-11-26T13:20:00Z";

const card: ActionCard = {
  generatedAt: asOf,
  child: {
    nhsNumber: "999 000 0018",
    name: "Amber <script>alert(1)</script> Whitlock",
    knownAs: null,
    dateOfBirth: "2013-08-21",
    ageYears: 13,
    asOf,
    source,
    discrepancies: [],
  },
  legalStatus: null,
  whereToReturn: {
    childMissing: false,
    missingEpisode: null,
    returnTo: null,
    placement: null,
    doNotReturnTo: [{ text: 'Mum\'s "flat" & <b>friends</b>', asOf, source }],
    notes: null,
    withheld: "Not missing.",
  },
  whoToCall: [
    {
      order: 1,
      role: "Named on-call manager",
      name: "Fiona Castell",
      phone: "07700 900 461",
      note: null,
      asOf,
      source,
    },
  ],
  risks: [],
  decisions: [],
  gaps: ["Children's social care hold no out-of-hours plan for this child: call EDT."],
};

describe("the action card page", () => {
  const html = renderActionCard(card);

  it("escapes everything the agencies hold", () => {
    expect(html).not.toContain("<script>");
    expect(html).toContain("Amber &lt;script&gt;alert(1)&lt;/script&gt; Whitlock");
    expect(html).toContain("Mum&#39;s &quot;flat&quot; &amp; &lt;b&gt;friends&lt;/b&gt;");
  });

  it("names the source of each item, links phone numbers and lists what is missing", () => {
    expect(html).toContain("Social care, Children&#39;s Services; as of 26 Nov 2026, 13:20");
    expect(html).toContain('href="tel:07700900461"');
    expect(html).toContain("Part of this card is missing.");
    expect(html).toContain("No legal status is recorded.");
  });

  it("keeps the number typed when the form is shown again with an error", () => {
    const form = renderLookupForm('12"3', "An NHS number has 10 digits; this one has 3.");
    expect(form).toContain('value="12&quot;3"');
    expect(form).toContain('aria-describedby="nhs-number-hint nhs-number-error"');
  });
});
