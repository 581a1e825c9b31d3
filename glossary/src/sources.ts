/**
 * The only hosts a glossary term may cite. An officer acts on what a term says, so its sources must be the
 * law itself or the body that issues the guidance, not a copy, a summary or a commentary. A host joins this
 * list only with a reason; anything else fails the load, naming the file, the source and the host.
 */
export interface SourceHost {
  readonly host: string;
  readonly reason: string;
}

export const SOURCE_HOSTS: readonly SourceHost[] = [
  {
    host: "www.legislation.gov.uk",
    reason: "The official statute book (The National Archives): Acts and statutory instruments as made and as amended.",
  },
  {
    host: "www.gov.uk",
    reason:
      "Government publications: statutory guidance (Working Together 2023, missing children), Home Office and DfE guidance, codes of practice, Ofsted and NHS guidance published by government.",
  },
  {
    host: "www.college.police.uk",
    reason:
      "College of Policing Authorised Professional Practice (APP), the official source of professional practice for policing.",
  },
  {
    host: "www.england.nhs.uk",
    reason: "NHS England, which commissions specialised children's mental health services and runs CP-IS.",
  },
  {
    host: "caselaw.nationalarchives.gov.uk",
    reason: "Find Case Law (The National Archives): the official record of court and tribunal judgments.",
  },
  {
    host: "www.bailii.org",
    reason: "Judgments older than Find Case Law's coverage (for example Gillick, 1985), published in full.",
  },
  {
    host: "www.cps.gov.uk",
    reason: "Crown Prosecution Service legal guidance: how offences and statutory defences are charged.",
  },
  {
    host: "www.cafcass.gov.uk",
    reason: "Cafcass, the body whose officers act as children's guardians in family proceedings.",
  },
  {
    host: "explore-education-statistics.service.gov.uk",
    reason: "DfE's official statistics service: the methodology of the children in need and looked-after collections.",
  },
];

const allowed = new Map(SOURCE_HOSTS.map((entry) => [entry.host, entry]));

/**
 * Why a source URL may not be cited, or undefined when it may. Only https URLs on a listed host pass.
 */
export function sourceProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.protocol !== "https:") return `"${url}" must use https`;
  if (!allowed.has(parsed.hostname)) {
    return (
      `host "${parsed.hostname}" of "${url}" is not a primary source allowed in the glossary ` +
      `(allowed: ${SOURCE_HOSTS.map((entry) => entry.host).join(", ")}; see glossary/src/sources.ts)`
    );
  }
  return undefined;
}
