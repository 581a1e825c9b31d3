import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CHILD, startCluster, type Cluster, PURPOSE } from "../support/cluster.js";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.close();
});

const search = async (query: string, first = 5) => {
  const result = await cluster.query(
    `query($q: String!, $first: Int) { glossarySearch(query: $q, first: $first) { id term } }`,
    { q: query, first },
  );
  expect(result.errors).toBeUndefined();
  return result.data.glossarySearch.map((t: { id: string }) => t.id);
};

describe("control-room glossary look-ups through the gateway", () => {
  it.each([
    ["ICO", "interim-care-order"],
    ["ico", "interim-care-order"],
    ["s38", "interim-care-order"],
    ["s20", "section-20-accommodation"],
    ["s.20", "section-20-accommodation"],
    ["sec 20", "section-20-accommodation"],
    ["Section 20", "section-20-accommodation"],
    ["intrim care order", "interim-care-order"],
    ["emergancy protection", "emergency-protection-order"],
    ["EPO", "emergency-protection-order"],
    ["s46", "police-protection"],
    ["EDT", "emergency-duty-team"],
    ["philomina protocol", "philomena-protocol"],
    ["s136", "mha-section-136"],
  ])("%j finds %s first", async (query, id) => {
    expect((await search(query))[0]).toBe(id);
  });

  it("returns a whole term with police duties, sources and related terms resolved", async () => {
    const result = await cluster.query(`{
      glossaryTerm(id: "interim-care-order") {
        id term abbreviations category legalBasis meaning
        policeDuties { must mustNot call }
        related
        relatedTerms { id term }
        sources { title url }
        lastReviewed codes { scheme code }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const term = result.data.glossaryTerm;
    expect(term.abbreviations).toContain("ICO");
    expect(term.category).toBe("ORDER");
    expect(term.legalBasis).toMatch(/s\.?\s?38/);
    expect(term.policeDuties.must.length).toBeGreaterThan(0);
    expect(term.policeDuties.mustNot.length).toBeGreaterThan(0);
    expect(term.related.length).toBeGreaterThan(0);
    expect(term.relatedTerms.map((t: { id: string }) => t.id)).toEqual(term.related);
    expect(term.sources[0].url).toMatch(/^https?:\/\//);
    expect(term.codes).toContainEqual({ scheme: "SSDA903_LEGAL_STATUS", code: "C1" });
  });

  it("returns null for an unknown id and refuses a silly page size", async () => {
    expect((await cluster.query(`{ glossaryTerm(id: "no-such-term") { id } }`)).data.glossaryTerm).toBeNull();
    const result = await cluster.query(`{ glossarySearch(query: "ico", first: 500) { id } }`);
    expect(result.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
  });

  it("links the child's codes to the glossary, so an officer reading the record gets the duties with it", async () => {
    const result = await cluster.query(
      `query($id: ID!) {
      child(id: $id, ${PURPOSE}) {
        socialCare {
          legalStatus { code term { id term meaning policeDuties { must mustNot call } } }
          placement { typeCode term { id term } }
        }
        police { missingEpisodes { riskLevel riskLevelTerm { id term } } }
      }
    }`,
      { id: DEMO_CHILD },
    );
    expect(result.errors).toBeUndefined();
    const { socialCare, police } = result.data.child;
    expect(socialCare.legalStatus.term.id).toBe("interim-care-order");
    expect(socialCare.legalStatus.term.policeDuties.must.join(" ")).toMatch(/placement|local authority|council/i);
    expect(socialCare.placement.term.id).toBe("childrens-home");
    const high = police.missingEpisodes.find((e: { riskLevel: string }) => e.riskLevel === "HIGH");
    expect(high.riskLevelTerm.id).toBe("high-risk-missing");
  });
});
