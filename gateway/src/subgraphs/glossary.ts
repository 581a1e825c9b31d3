import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse, type GraphQLSchema } from "graphql";
import { badInput } from "@safeguarding/kit";
import type { Glossary, GlossaryTerm } from "@safeguarding/glossary";

/**
 * The glossary subgraph: the same term files the training portal teaches from, served for control-room
 * look-ups and resolved wherever a record carries a code (legal status, plan category, placement, risk level).
 * It is static data, so it runs inside the gateway process: a look-up never leaves memory.
 */
export const GLOSSARY_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    "One glossary term by id (kebab-case, e.g. interim-care-order)."
    glossaryTerm(id: ID!): GlossaryTerm
    "Control-room search: abbreviations (ICO, s20, s.46), terms and misspellings; the exact match ranks first."
    glossarySearch(query: String!, first: Int = 10): [GlossaryTerm!]!
  }

  enum GlossaryCategory {
    ORDER
    LEGAL_STATUS
    MEETING
    ROLE
    AGENCY
    PROCESS
    HEALTH
    EXPLOITATION
    DATA_PROTECTION
  }

  "What an officer must do, must not do, and who to call."
  type PoliceDuties {
    must: [String!]!
    mustNot: [String!]!
    call: [String!]!
  }

  type GlossarySource {
    title: String!
    url: String!
  }

  type GlossaryCode {
    "SSDA903_LEGAL_STATUS, CP_CATEGORY, MISSING_RISK_LEVEL or SSDA903_PLACEMENT"
    scheme: String!
    code: String!
  }

  "A social-care, Family Court or safeguarding term, with what it means for a police officer."
  type GlossaryTerm @key(fields: "id") {
    id: ID!
    term: String!
    abbreviations: [String!]!
    category: GlossaryCategory!
    "Act and section, or the guidance it rests on."
    legalBasis: String!
    "Plain English, at most three sentences."
    meaning: String!
    policeDuties: PoliceDuties!
    "Ids of related terms."
    related: [ID!]!
    "The related terms themselves."
    relatedTerms: [GlossaryTerm!]!
    sources: [GlossarySource!]!
    "YYYY-MM-DD"
    lastReviewed: String!
    codes: [GlossaryCode!]!
  }
`;

export const GLOSSARY_SEARCH_MAX = 50;

function toGraphql(term: GlossaryTerm) {
  return {
    ...term,
    category: term.category.toUpperCase().replace(/-/g, "_"),
    lastReviewed: String(term.lastReviewed).slice(0, 10),
    codes: term.codes ?? [],
  };
}

export function createGlossarySchema(glossary: Glossary): GraphQLSchema {
  const byId = (id: string) => {
    const term = glossary.byId(id);
    return term ? toGraphql(term) : null;
  };
  const resolvers = {
    Query: {
      glossaryTerm: (_: unknown, args: { id: string }) => byId(args.id.trim().toLowerCase()),
      glossarySearch: (_: unknown, args: { query: string; first: number }) => {
        if (args.query.length > 200) throw badInput("The search is longer than 200 characters: shorten it.", "query");
        if (!Number.isInteger(args.first) || args.first < 1 || args.first > GLOSSARY_SEARCH_MAX) {
          throw badInput(`first must be between 1 and ${GLOSSARY_SEARCH_MAX}.`, "first");
        }
        return glossary.search(args.query, args.first).map(toGraphql);
      },
    },
    GlossaryTerm: {
      __resolveReference: (reference: { id: string }) => byId(reference.id),
      relatedTerms: (term: GlossaryTerm) => term.related.map(byId).filter(Boolean),
    },
  };
  return buildSubgraphSchema([{ typeDefs: parse(GLOSSARY_SDL), resolvers: resolvers as never }]);
}
