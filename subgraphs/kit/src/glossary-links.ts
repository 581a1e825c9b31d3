import "reflect-metadata";
import { Directive, Field, ID, ObjectType } from "type-graphql";
import { loadGlossary, type CodeScheme, type Glossary } from "@safeguarding/glossary";

/** A reference to a glossary term; the gateway resolves its fields from the glossary subgraph. */
@ObjectType("GlossaryTerm")
@Directive('@key(fields: "id", resolvable: false)')
export class GlossaryTermReference {
  @Field(() => ID)
  id!: string;
}

let shared: Glossary | undefined;
const glossary = () => (shared ??= loadGlossary());

/**
 * Maps every code a subgraph can return to its glossary term, checked when the module loads: a code with no
 * term stops the build (which prints the SDL) and start-up, naming the code to add to glossary/terms.
 */
export function linkCodesToTerms<C extends string>(
  scheme: CodeScheme,
  codes: readonly C[],
): (code: C) => GlossaryTermReference {
  const links = new Map<string, GlossaryTermReference>();
  const missing: string[] = [];
  for (const code of codes) {
    const term = glossary().byCode(scheme, code);
    if (term) links.set(code, { id: term.id });
    else missing.push(code);
  }
  if (missing.length) {
    throw new Error(
      `No glossary term explains ${scheme} code(s) ${missing.join(", ")}: add them to a term's "codes" in glossary/terms.`,
    );
  }
  return (code) => links.get(code)!;
}

/** The glossary's name for a code ("Interim care order" for SSDA903_LEGAL_STATUS C1), or null when none explains it. */
export function codeTermName(scheme: CodeScheme, code: string): string | null {
  return glossary().byCode(scheme, code)?.term ?? null;
}
