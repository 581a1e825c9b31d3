import { describe, expect, it } from "vitest";
import { loadGlossary } from "./load.js";
import { SOURCE_HOSTS, sourceProblem } from "./sources.js";

describe("source allow-list", () => {
  it("keeps a short list, each host with a reason", () => {
    expect(SOURCE_HOSTS.length).toBeLessThanOrEqual(12);
    for (const entry of SOURCE_HOSTS) {
      expect(entry.host).toMatch(/^[a-z0-9.-]+$/);
      expect(entry.reason.length, entry.host).toBeGreaterThan(20);
    }
    expect(new Set(SOURCE_HOSTS.map((entry) => entry.host)).size).toBe(SOURCE_HOSTS.length);
  });

  it.each([
    "https://www.legislation.gov.uk/ukpga/1989/41/section/46",
    "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2",
    "https://www.college.police.uk/app/missing-persons/risk-identification-assessment-and-management",
    "https://caselaw.nationalarchives.gov.uk/uksc/2021/35",
  ])("accepts %s", (url) => {
    expect(sourceProblem(url)).toBeUndefined();
  });

  it.each([
    ["https://docsbay.net/recovery-order", /host "docsbay\.net"/],
    ["https://cryer.org.uk/Police_child_protection_powers", /host "cryer\.org\.uk"/],
    ["https://eastridingcs.trixonline.co.uk/chapter/police-protection", /host "eastridingcs\.trixonline\.co\.uk"/],
    ["https://legislation.gov.uk/ukpga/1989/41/section/46", /host "legislation\.gov\.uk"/],
    ["https://www.gov.uk.example.com/x", /host "www\.gov\.uk\.example\.com"/],
    ["http://www.legislation.gov.uk/ukpga/1989/41/section/46", /must use https/],
    ["not a url", /is not a URL/],
  ])("refuses %s", (url, message) => {
    expect(sourceProblem(url)).toMatch(message);
  });

  it("passes every source of every shipped term", () => {
    const glossary = loadGlossary();
    const refused = glossary.terms.flatMap((term) =>
      term.sources.filter((source) => sourceProblem(source.url)).map((source) => `${term.id}: ${source.url}`),
    );
    expect(refused).toEqual([]);
    expect(glossary.terms.flatMap((term) => term.sources).length).toBeGreaterThan(glossary.terms.length);
  });
});
