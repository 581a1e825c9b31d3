import { AGENCY_CODES } from "@safeguarding/shared/agencies";

/**
 * Value types every in-process subgraph that returns provenance declares. Federation requires each subgraph to
 * declare them, identically to the agency subgraphs' (kit's Agency and Source), so they are written once here.
 */
export const SOURCE_SDL = /* GraphQL */ `
  "The agency that holds an item."
  enum Agency {
    ${AGENCY_CODES.join("\n    ")}
  }

  "Where an item is held: the agency, its system and the department that recorded it."
  type Source @shareable {
    agency: Agency!
    system: String!
    department: String!
  }
`;
