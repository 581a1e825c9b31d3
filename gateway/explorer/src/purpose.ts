/** The Purpose helper: writes the `purpose:` argument that child and children refuse to run without. */

export interface PurposeChoice {
  code: string;
  reference: string;
  /** The data-sharing agreement relied on, if any. */
  agreement?: string;
}

export function purposeArgument(choice: PurposeChoice): string {
  const fields = [`code: ${choice.code}`, `reference: ${JSON.stringify(choice.reference.trim())}`];
  if (choice.agreement?.trim()) fields.push(`agreement: ${JSON.stringify(choice.agreement.trim())}`);
  return `purpose: { ${fields.join(", ")} }`;
}

// An AccessPurposeInput holds only scalars, so its object literal has no nested braces.
const PURPOSE_ARGUMENT = /\bpurpose\s*:\s*\{[^{}]*\}/g;
// `child(...)` and `children(...)` argument lists; their arguments hold objects but no parentheses.
const READS_NEEDING_PURPOSE = /\b(child|children)\s*\(([^()]*)\)/g;

/**
 * Puts the purpose into every read of a child in the operation: replaces each `purpose: {…}` argument, and adds one
 * to a `child(…)` or `children(…)` that has none. Returns the new text and how many places changed.
 */
export function applyPurpose(query: string, choice: PurposeChoice): { query: string; changed: number } {
  const argument = purposeArgument(choice);
  let changed = 0;
  const replaced = query.replace(PURPOSE_ARGUMENT, () => {
    changed += 1;
    return argument;
  });
  const added = replaced.replace(READS_NEEDING_PURPOSE, (call: string, field: string, args: string) => {
    if (/\bpurpose\s*:/.test(args)) return call;
    changed += 1;
    return `${field}(${args.trim() ? `${args.trimEnd()}, ` : ""}${argument})`;
  });
  return { query: added, changed };
}
