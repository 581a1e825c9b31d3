import { describe, expect, it } from "vitest";
import { Supergraph } from "@apollo/federation-internals";
import { buildSchema, parse, validate } from "graphql";
import { composeSupergraph, readSubgraphSdls } from "../compose.js";
import { agencyEndpoints } from "../config.js";
import {
  HealthProtocolFactsFragmentDoc,
  PoliceProtocolFactsFragmentDoc,
  SocialCareProtocolFactsFragmentDoc,
} from "../generated/graphql.js";
import { protocolFactsQuery } from "./live.js";

/**
 * The protocol's facts are typed against the API schema but sent to each agency's own subgraph: both must accept
 * them, from the subgraphs as they are built now (not only the reviewed supergraph the types came from).
 */
describe("the protocol's facts documents", () => {
  const subgraphs = readSubgraphSdls();

  for (const agency of agencyEndpoints()) {
    it(`${agency.name}: the live read is valid against the agency's own subgraph schema`, () => {
      // The printed SDL is the subgraph's whole schema, _entities and _Any included.
      const schema = buildSchema(subgraphs.find((s) => s.name === agency.name)!.sdl);
      const query = protocolFactsQuery(agency);
      expect(query).toMatch(
        new RegExp(`\\.\\.\\. on Child \\{ ${agency.section} \\{ \\.\\.\\.\\w+ProtocolFacts \\} \\}`),
      );
      expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
    });
  }

  it("each section's fragment is valid against a fresh composition's API schema", () => {
    const api = Supergraph.build(composeSupergraph(subgraphs)).apiSchema().toGraphQLJSSchema();
    const sections = [
      ["police", "PoliceProtocolFacts", PoliceProtocolFactsFragmentDoc],
      ["socialCare", "SocialCareProtocolFacts", SocialCareProtocolFactsFragmentDoc],
      ["health", "HealthProtocolFacts", HealthProtocolFactsFragmentDoc],
    ] as const;
    for (const [section, fragment, document] of sections) {
      const query = `query Check($id: ID!, $purpose: AccessPurposeInput!) {
        child(id: $id, purpose: $purpose) { ${section} { ...${fragment} } }
      }
      ${document}`;
      expect(validate(api, parse(query)).map((e) => e.message)).toEqual([]);
    }
  });
});
