import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REQUIRED_CODES, loadGlossary, termsDir } from "./load.js";

const files = readdirSync(termsDir).filter((f) => f.endsWith(".md"));
const fileText = (id: string): string => readFileSync(join(termsDir, `${id}.md`), "utf8");
const glossary = loadGlossary();
const term = (id: string) => {
  const found = glossary.byId(id);
  if (!found) throw new Error(`no term ${id}`);
  return found;
};
const all = (id: string): string => {
  const t = term(id);
  return [
    t.legalBasis,
    t.meaning,
    ...t.policeDuties.must,
    ...t.policeDuties.mustNot,
    ...t.policeDuties.call,
    t.body,
  ].join("\n");
};

const FORCE_NEEDS_A_POWER =
  /by force unless a lawful power applies: s46 when its test is met, a s50 recovery order, or arrest for an offence/;
const S46_ONLY_WHEN =
  /Consider police protection \(s46\) only when the significant-harm test is met and no council route is available in time/;
const NOT_SUITABLE_STATION = (text: string) => /police station/i.test(text) && /not suitable accommodation/i.test(text);

describe("glossary content", () => {
  it("never names the child in the case review: examples use invented people", () => {
    expect(files.length).toBeGreaterThan(0);
    const naming = files.filter((f) => /\bchloe\b/i.test(readFileSync(join(termsDir, f), "utf8")));
    expect(naming).toEqual([]);
  });
});

// Issue 9 (safe advice at 2 a.m.): each correction, read from the shipped term files.
describe("issue 9 corrections in the term files", () => {
  it("1. returning a found child: arrange the return the council directs; force needs a lawful power; tell EDT", () => {
    for (const f of files) expect(readFileSync(join(termsDir, f), "utf8"), f).not.toMatch(/return a found child/i);
    for (const id of ["interim-care-order", "care-order", "away-from-placement-without-authorisation"]) {
      const { must, mustNot } = term(id).policeDuties;
      expect(
        must.filter((m) => /^Return\b/.test(m)),
        id,
      ).toEqual([]);
      expect(
        must.some((m) => /arrange the (child's )?return .*council directs/i.test(m)),
        id,
      ).toBe(true);
      expect(
        must.some((m) => /refuses to go back.*tell the EDT or the council's on-call manager/i.test(m)),
        id,
      ).toBe(true);
      expect(
        mustNot.some((m) => FORCE_NEEDS_A_POWER.test(m)),
        id,
      ).toBe(true);
    }
    for (const id of ["interim-care-order", "care-order"]) {
      expect(all(id), id).toMatch(/no general power to make an unwilling child return/);
    }
  });

  it("2. s46 is never a must: consider it only when the test is met and no council route is in time", () => {
    for (const t of glossary.terms) {
      for (const m of t.policeDuties.must) {
        expect(m, t.id).not.toMatch(/^(use|take|place)\b.*(police protection|s46)/i);
        if (/^consider\b.*police protection/i.test(m) && !/Child Abduction Act/.test(m)) {
          expect(m, t.id).toMatch(S46_ONLY_WHEN);
        }
      }
    }
    expect(term("interim-care-order").policeDuties.must.some((m) => S46_ONLY_WHEN.test(m))).toBe(true);
    expect(all("interim-care-order")).not.toMatch(/Use police protection \(s46\) if/);
    const pp = term("police-protection");
    expect(pp.policeDuties.must.some((m) => /council-provided accommodation \(or a refuge\)/.test(m))).toBe(true);
    for (const f of files) {
      expect(readFileSync(join(termsDir, f), "utf8"), f).not.toMatch(/council or other suitable accommodation/i);
    }
  });

  it("3. an interim care order is a care order for s49, s50 and a CAWN (s31(11)), stated as law", () => {
    for (const id of [
      "interim-care-order",
      "recovery-order",
      "child-abduction-warning-notice",
      "abduction-of-child-in-care",
    ]) {
      const text = all(id);
      expect(text, id).toMatch(/care order"? includes an interim care order \(s31\(11\)\)/);
      expect(text, id).not.toMatch(/national procedures glossary|not confirmed|was not retrieved/i);
    }
    expect(term("child-abduction-warning-notice").meaning).toMatch(/care order, which includes an interim care order/);
    expect(all("child-abduction-warning-notice")).toMatch(/Child Abduction Act 1984 s2 covers any child under 16/);
  });

  it("4. low risk: harm possible but minimal, not 'no apparent threat of danger'", () => {
    expect(term("low-risk-missing").meaning).toMatch(/possible but minimal/);
    expect(fileText("low-risk-missing")).not.toMatch(/no apparent threat of danger/i);
  });

  it("5. PACE s38(6): the secure-accommodation exception applies from age 12, stated without doubt", () => {
    const text = all("pace-transfer");
    expect(text).toMatch(/reached the age of 12/);
    expect(text).not.toMatch(/unconfirmed|13 and over|check the current age/i);
  });

  it("6. secure accommodation: further periods of up to six months (regulation 12)", () => {
    const text = all("secure-accommodation-order");
    expect(text).toMatch(/further periods of up to six months.*regulation 12/s);
    expect(text).not.toMatch(/not confirmed/);
  });

  it("7. the designated officer may apply for an EPO on the council's behalf (s46(7))", () => {
    const text = all("designated-officer-police-protection");
    expect(text).toMatch(/on behalf of the council, for an emergency protection order \(Children Act 1989, s46\(7\)\)/);
    expect(text).not.toMatch(/may also let|not confirmed/);
  });

  it("8. s47: police are not in the s47(11) list; their duty comes from Children Act 2004 s11 and Working Together", () => {
    const text = all("section-47-enquiry");
    expect(text).toMatch(/Police are not in that list/);
    expect(text).toMatch(/s11 of the Children Act 2004/);
    expect(text).toMatch(/Working Together 2023/);
    expect(term("section-47-enquiry").meaning).not.toMatch(/police, health and education must help/);
  });

  it("10. virtual school head: tell the social worker when you contact the school, no ban on contacting it", () => {
    const { must, mustNot } = term("virtual-school-head").policeDuties;
    expect(must).toContain("When you contact the school about a looked-after child, tell the social worker.");
    expect(mustNot.filter((m) => /contact the school/i.test(m))).toEqual([]);
  });

  it("11. deprivation of liberty: DoLS is for adults; 16-17 via the Court of Protection (Re D); children via the High Court", () => {
    const text = all("deprivation-of-liberty-order");
    expect(text).toMatch(/Schedule A1\) are for adults aged 18 and over/);
    expect(text).toMatch(/Court of Protection/);
    expect(text).toMatch(/Re D \(A Child\) \[2019\] UKSC 42/);
    expect(text).toMatch(/inherent jurisdiction/);
  });

  it("12. safeguarding partners: statutory basis Children Act 2004 ss16E-16K", () => {
    expect(term("safeguarding-partners").legalBasis).toMatch(/^Children Act 2004, ss16E-16K/);
  });

  it("13. semi-independent living: since 28 October 2023 only Ofsted-registered supported accommodation for 16-17s", () => {
    expect(term("semi-independent-living").meaning).toMatch(
      /Since 28 October 2023 a 16 or 17 year old may be placed only in supported accommodation registered with Ofsted/,
    );
  });

  it("14. LADO: within one working day", () => {
    const text = all("local-authority-designated-officer");
    expect(text).toMatch(/within one working day/);
    expect(text).not.toMatch(/same working day/);
  });

  it("15. s49: knowingly and without lawful authority or reasonable excuse", () => {
    expect(term("abduction-of-child-in-care").meaning).toMatch(
      /knowingly and without lawful authority or reasonable excuse/,
    );
  });

  it("17. every legal status that puts a child in council care says: not held at a police station without a power", () => {
    const missing: string[] = [];
    for (const code of REQUIRED_CODES.SSDA903_LEGAL_STATUS) {
      const t = glossary.byCode("SSDA903_LEGAL_STATUS", code);
      if (!t) throw new Error(`no term for ${code}`);
      if (!t.policeDuties.mustNot.some(NOT_SUITABLE_STATION)) missing.push(`${code} ${t.id}: mustNot`);
      if (!/police station/i.test(t.body)) missing.push(`${code} ${t.id}: body does not say why`);
    }
    expect(missing).toEqual([]);
  });
});
