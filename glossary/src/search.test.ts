import { describe, expect, it } from "vitest";
import { loadGlossary } from "./load.js";
import { normaliseText, tokenise } from "./search.js";

const glossary = loadGlossary();
const firstId = (query: string): string | undefined => glossary.search(query, 1)[0]?.id;

describe("normaliseText", () => {
  it.each(["s20", "s.20", "S 20", "S.  20", "sec 20", "Sec. 20", "section 20", "SECTION20", "s 20 CA 1989"])(
    "rewrites %j to the token s20",
    (text) => {
      expect(tokenise(text)[0]).toBe("s20");
    },
  );

  it("keeps a subsection as a second token", () => {
    expect(normaliseText("PACE s38(6)")).toBe("pace s38 s38_6");
  });

  it("strips accents, apostrophes and punctuation", () => {
    expect(normaliseText("Philoména’s  CP-IS form!")).toBe("philomenas cp is form");
  });

  it("does not treat the end of a word as a section prefix", () => {
    expect(tokenise("was 20")).toEqual(["was", "20"]);
  });
});

describe("search quality: the first result", () => {
  it.each([
    // abbreviations and exact names rank first
    ["ICO", "interim-care-order"],
    ["ico", "interim-care-order"],
    ["EPO", "emergency-protection-order"],
    ["PP", "police-protection"],
    ["PPO", "police-protection"],
    ["police protection order", "police-protection"],
    ["CSE", "child-sexual-exploitation"],
    ["NRM", "national-referral-mechanism"],
    ["CAWN", "child-abduction-warning-notice"],
    ["EDT", "emergency-duty-team"],
    ["RHI", "return-home-interview"],
    ["IRO", "independent-reviewing-officer"],
    ["AMHP", "approved-mental-health-professional"],
    ["MASH", "mash"],
    ["LAC", "looked-after-child"],
    ["child in care", "looked-after-child"],
    ["SGO", "special-guardianship-order"],
    ["DoLS order", "deprivation-of-liberty-order"],
    ["PACE bed", "pace-transfer"],
    ["CP-IS", "cp-is"],
    ["cpis", "cp-is"],
    ["cp is", "cp-is"],
    ["Tier 4", "tier-4-camhs"],
    ["CAMHS", "camhs"],
    ["Working Together 2023", "working-together-2023"],
    ["golden rules", "seven-golden-rules"],
    ["trigger plan", "trigger-plan"],
    ["Philomena Protocol", "philomena-protocol"],
    ["on-call manager", "on-call-manager"],
    ["strategy meeting", "strategy-discussion"],
    ["bespoke school attendance plan", "bespoke-school-attendance-plan"],
    ["place of safety", "place-of-safety"],
    ["sectioned", "mental-health-act-assessment"],
    // codes
    ["C1", "interim-care-order"],
    ["c2", "care-order"],
    ["V2", "section-20-accommodation"],
    ["V3", "short-breaks"],
    ["L1", "police-protection"],
    ["L3", "child-assessment-order"],
    ["J1", "remand-to-local-authority-accommodation"],
    ["D1", "freeing-order"],
    ["NEG", "neglect"],
    ["EMO", "emotional-abuse"],
    ["MUL", "multiple-categories"],
    ["very low", "very-low-risk-missing"],
    ["no apparent risk", "very-low-risk-missing"],
    ["high risk", "high-risk-missing"],
    ["A4", "placed-for-adoption"],
    ["U1", "foster-placement-with-relatives-or-friends"],
    ["U6", "foster-placement"],
    ["T1", "temporary-move"],
    ["S1", "residential-school"],
    ["K1", "secure-childrens-home"],
    ["Z1", "other-placement"],
    // section references in every common form
    ["s20", "section-20-accommodation"],
    ["s.20", "section-20-accommodation"],
    ["S 20", "section-20-accommodation"],
    ["sec 20", "section-20-accommodation"],
    ["section 20", "section-20-accommodation"],
    ["s 20 CA 1989", "section-20-accommodation"],
    ["Section 20 Children Act", "section-20-accommodation"],
    ["s46", "police-protection"],
    ["section 46", "police-protection"],
    ["s.47", "section-47-enquiry"],
    ["s38", "interim-care-order"],
    ["s38(6)", "pace-transfer"],
    ["s31", "care-order"],
    ["s44", "emergency-protection-order"],
    ["s43", "child-assessment-order"],
    ["s25", "secure-accommodation-order"],
    ["s17", "child-in-need"],
    ["PACE s17", "pace-section-17-entry"],
    ["s8", "section-8-orders"],
    ["s49", "abduction-of-child-in-care"],
    ["s50", "recovery-order"],
    ["s136", "mha-section-136"],
    ["section 135", "mha-section-135"],
    ["s62", "dpa-section-62-logging"],
    ["s2 MHA", "mha-section-2"],
    // misspellings
    ["intrim care order", "interim-care-order"],
    ["emergancy protection", "emergency-protection-order"],
    ["emergency protecton order", "emergency-protection-order"],
    ["philomina", "philomena-protocol"],
    ["Philoména", "philomena-protocol"],
    ["supervison order", "supervision-order"],
    ["strategy discusion", "strategy-discussion"],
    ["safeguardng condtion", "safeguarding-condition"],
    ["parental responsibilty", "parental-responsibility"],
    ["recovary order", "recovery-order"],
    ["childrens home", "childrens-home"],
    // spacing and punctuation
    ["CHILD   arrangements   ORDER", "child-arrangements-order"],
    ["returnhome interview", "return-home-interview"],
    ["looked-after", "looked-after-child"],
    // partial words typed as you go
    ["emergency prot", "emergency-protection-order"],
    ["philo", "philomena-protocol"],
    ["safeguarding cond", "safeguarding-condition"],
    ["interim c", "interim-care-order"],
    ["secure acc", "secure-accommodation-order"],
  ])("%j -> %s", (query, id) => {
    expect(firstId(query)).toBe(id);
  });

  it("puts both emergency terms first for the partial word 'emerg'", () => {
    const ids = glossary
      .search("emerg", 2)
      .map((t) => t.id)
      .sort();
    expect(ids).toEqual(["emergency-duty-team", "emergency-protection-order"]);
  });

  it("returns both meanings of the ambiguous abbreviation CAO first", () => {
    const ids = glossary
      .search("CAO", 2)
      .map((t) => t.id)
      .sort();
    expect(ids).toEqual(["child-arrangements-order", "child-assessment-order"]);
  });

  it("finds the 'absent' history under very low risk and the social care category next", () => {
    const ids = glossary.search("absent", 2).map((t) => t.id);
    expect(ids).toEqual(["very-low-risk-missing", "away-from-placement-without-authorisation"]);
  });
});

// Issue 9: each term a control room could not find is found first by its usual abbreviation and by a
// common misspelling.
describe("search quality: the terms added for issue 9", () => {
  it.each([
    ["police powers to return", "police-powers-to-return-or-hold-a-child"],
    ["Article 5", "police-powers-to-return-or-hold-a-child"],
    ["hold a child for her own safety", "police-powers-to-return-or-hold-a-child"],
    ["police powrs to return", "police-powers-to-return-or-hold-a-child"],
    ["AA", "appropriate-adult"],
    ["PACE AA", "appropriate-adult"],
    ["apropriate adult", "appropriate-adult"],
    ["Gillick", "gillick-competence"],
    ["Fraser guidelines", "gillick-competence"],
    ["gilick", "gillick-competence"],
    ["frazer guidelines", "gillick-competence"],
    ["trusted adult", "trusted-adult"],
    ["trusted adlut", "trusted-adult"],
    ["county lines", "county-lines"],
    ["county lnes", "county-lines"],
    ["s45", "modern-slavery-section-45-defence"],
    ["s.45", "modern-slavery-section-45-defence"],
    ["modern slavry defence", "modern-slavery-section-45-defence"],
    ["SRO", "sexual-risk-order"],
    ["sexual risc order", "sexual-risk-order"],
    ["SHPO", "sexual-harm-prevention-order"],
    ["sexual harm prevension order", "sexual-harm-prevention-order"],
    ["CAA s1", "child-abduction-act-section-1"],
    ["port alert", "child-abduction-act-section-1"],
    ["port allert", "child-abduction-act-section-1"],
    ["UASC", "unaccompanied-asylum-seeking-child"],
    ["unaccompanied minor", "unaccompanied-asylum-seeking-child"],
    ["unacompanied asylum", "unaccompanied-asylum-seeking-child"],
    ["care leaver", "care-leaver"],
    ["care leever", "care-leaver"],
    ["private fostering", "private-fostering"],
    ["privat fostering", "private-fostering"],
    ["wardship", "wardship"],
    ["ward of court", "wardship"],
    ["wardshp", "wardship"],
    ["Cafcass", "childrens-guardian"],
    ["children's guardian", "childrens-guardian"],
    ["cafcas guardian", "childrens-guardian"],
    ["placement plan", "care-plan-and-placement-plan"],
    ["delegated authority", "care-plan-and-placement-plan"],
    ["delegated authorty", "care-plan-and-placement-plan"],
    ["EFH", "extra-familial-harm"],
    ["contextual safeguarding", "extra-familial-harm"],
    ["contextual safegarding", "extra-familial-harm"],
    ["ICTG", "independent-child-trafficking-guardian"],
    ["ICTA", "independent-child-trafficking-guardian"],
    ["trafficing guardian", "independent-child-trafficking-guardian"],
    ["YJS", "youth-justice-service"],
    ["YOT", "youth-justice-service"],
    ["youth justise", "youth-justice-service"],
    ["CME", "child-missing-education"],
    ["child missing educaton", "child-missing-education"],
    ["MPC", "missing-persons-coordinator"],
    ["misper co-ordinator", "missing-persons-coordinator"],
    ["missing persons cordinator", "missing-persons-coordinator"],
    ["prevention interview", "prevention-interview"],
    ["prevension interview", "prevention-interview"],
    ["MCA", "mental-capacity-act-16-17"],
    ["mental capasity", "mental-capacity-act-16-17"],
    ["s20(8)", "section-20-consent-withdrawal"],
    ["withdrawl of consent", "section-20-consent-withdrawal"],
    ["DoL", "deprivation-of-liberty-order"],
  ])("%j -> %s", (query, id) => {
    expect(firstId(query)).toBe(id);
  });
});

describe("search behaviour", () => {
  it("returns nothing for an empty or punctuation-only query", () => {
    expect(glossary.search("")).toEqual([]);
    expect(glossary.search("  -- ! ")).toEqual([]);
  });

  it("returns nothing for nonsense", () => {
    expect(glossary.search("xqzvbnmkl")).toEqual([]);
  });

  it("returns at most `first` results, 10 by default", () => {
    expect(glossary.search("order")).toHaveLength(10);
    expect(glossary.search("order", 3)).toHaveLength(3);
    expect(glossary.search("order", 0)).toEqual([]);
  });

  it("returns distinct terms", () => {
    const ids = glossary.search("care", 50).map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("copes with very long input", () => {
    const long = "interim care order ".repeat(500);
    expect(glossary.search(long, 1)[0]?.id).toBe("interim-care-order");
  });
});
