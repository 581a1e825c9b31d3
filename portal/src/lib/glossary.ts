import { loadGlossary, type GlossaryCategory, type GlossaryTerm } from "@safeguarding/glossary";

/**
 * The glossary package validates every term file and the links between terms; a fault there
 * stops the portal build with the file and field named.
 */
export const glossary = loadGlossary();

export const termHref = (id: string) => `/glossary/${id}/`;

export const categoryLabels: Record<GlossaryCategory, string> = {
  order: "Court order",
  "legal-status": "Legal status",
  meeting: "Meeting",
  role: "Role",
  agency: "Agency",
  process: "Process",
  health: "Health and mental health",
  exploitation: "Exploitation",
  "data-protection": "Data protection and information sharing",
};

/** "Interim care order (ICO, C1)" style label used in lists. */
export function termLabel(term: GlossaryTerm): string {
  return term.abbreviations.length > 0 ? `${term.term} (${term.abbreviations.join(", ")})` : term.term;
}

/** The A–Z letter a term files under; anything not starting with a letter goes under "#". */
export function letterOf(term: GlossaryTerm): string {
  const first = term.term.normalize("NFKD").charAt(0).toUpperCase();
  return /[A-Z]/.test(first) ? first : "#";
}

export function requireTerm(id: string, usedBy: string): GlossaryTerm {
  const term = glossary.byId(id);
  if (!term) {
    throw new Error(
      `${usedBy} refers to glossary term id "${id}", but glossary/terms/ has no ${id}.md. ` +
        `Use one of the existing ids or add the term to the glossary first.`,
    );
  }
  return term;
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${iso}T00:00:00Z`),
  );
}
