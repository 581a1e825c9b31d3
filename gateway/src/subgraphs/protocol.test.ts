import { describe, expect, it } from "vitest";
import { GraphQLError } from "graphql";
import { parseFactsInput } from "./protocol.js";

const asOf = "2026-11-26T02:00:00Z";
const episode = { id: "ME-1", reportedAt: "2026-11-20T10:00:00Z", riskLevel: "HIGH", cseIndicators: false };

describe("what-if facts", () => {
  it("parses facts that happened by asOf", () => {
    const facts = parseFactsInput({ asOf, missingEpisodes: [episode] });
    expect(facts.missingEpisodes[0].reportedAt.toISOString()).toBe("2026-11-20T10:00:00.000Z");
  });

  it.each([
    [{ missingEpisodes: [{ ...episode, reportedAt: "2026-11-27T10:00:00Z" }] }, "facts.missingEpisodes[0].reportedAt"],
    [{ riskManagementMeetings: [{ heldAt: "2026-12-01T09:00:00Z" }] }, "facts.riskManagementMeetings[0].heldAt"],
    [{ policeProtection: [{ startedAt: "2026-11-26T03:00:00Z" }] }, "facts.policeProtection[0].startedAt"],
  ])("refuses a fact dated after asOf, naming it (%#)", (extra, field) => {
    let caught: unknown;
    try {
      parseFactsInput({ asOf, ...extra });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GraphQLError);
    expect((caught as GraphQLError).extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect((caught as GraphQLError).message).toMatch(/is after asOf/);
  });
});
