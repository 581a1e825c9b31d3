/**
 * The agencies that join the graph: one row each. The gateway's configuration, supergraph composition, its error
 * sentences, the child index, the protocol engine, the process list `npm start` runs and the portal all read this
 * table, so adding an agency is one row here plus one folder under subgraphs/ (docs/ADDING-AN-AGENCY.md).
 */
export const AGENCIES = [
  {
    /** The subgraph's name in the supergraph, its folder under subgraphs/ and its store's file name. */
    name: "police",
    /** The value of the GraphQL `Agency` enum, and the code audit entries and errors carry. */
    code: "POLICE",
    /** Prefix of the agency's @inaccessible index queries: policeSubjects, policeSubjectSearch. */
    queryPrefix: "police",
    /** The field of `Child` that holds the agency's section. */
    section: "police",
    defaultPort: 4001,
    /** Prefix of its environment variables: POLICE_PORT, POLICE_URL, POLICE_DATABASE_URL. */
    envPrefix: "POLICE",
    /** How sentences name it: "The police service did not answer…". */
    displayName: "police",
    /** Whose record of a child's identity wins when agencies differ: lower first. */
    identityPreference: 3,
  },
  {
    name: "social-care",
    code: "SOCIAL_CARE",
    queryPrefix: "socialCare",
    section: "socialCare",
    defaultPort: 4002,
    envPrefix: "SOCIAL_CARE",
    displayName: "social care",
    // Social care hold the legal record of who a child in care is.
    identityPreference: 1,
  },
  {
    name: "health",
    code: "HEALTH",
    queryPrefix: "health",
    section: "health",
    defaultPort: 4003,
    envPrefix: "HEALTH",
    displayName: "health",
    // Health trace identity against the NHS Spine.
    identityPreference: 2,
  },
] as const;

export type AgencyRow = (typeof AGENCIES)[number];
export type AgencyCode = AgencyRow["code"];
export type AgencyName = AgencyRow["name"];

export const AGENCY_CODES = AGENCIES.map((a) => a.code) as readonly AgencyCode[];

const byCode = new Map<string, AgencyRow>(AGENCIES.map((a) => [a.code, a]));
const byName = new Map<string, AgencyRow>(AGENCIES.map((a) => [a.name, a]));

export function agencyByCode(code: string): AgencyRow | undefined {
  return byCode.get(code);
}

export function agencyByName(name: string): AgencyRow | undefined {
  return byName.get(name);
}

/** How a sentence names an agency given its code or subgraph name; the input itself when it is neither. */
export function agencyDisplayName(codeOrName: string): string {
  return (byCode.get(codeOrName) ?? byName.get(codeOrName))?.displayName ?? codeOrName;
}

/** Agency codes in the order whose record of identity wins. */
export const IDENTITY_PREFERENCE: readonly AgencyCode[] = [...AGENCIES]
  .sort((a, b) => a.identityPreference - b.identityPreference)
  .map((a) => a.code);

/** Where the gateway finds an agency: `<PREFIX>_URL`, or the local default port. */
export function agencyUrl(agency: AgencyRow, env: NodeJS.ProcessEnv = process.env): string {
  return env[`${agency.envPrefix}_URL`] || `http://127.0.0.1:${agency.defaultPort}/graphql`;
}
