export {
  CODE_SCHEMES,
  GLOSSARY_CATEGORIES,
  GlossaryTermSchema,
  countSentences,
  type CodeScheme,
  type GlossaryCategory,
  type GlossaryCode,
  type GlossarySource,
  type GlossaryTerm,
  type GlossaryTermFrontMatter,
  type PoliceDuties,
} from "./schema.js";
export {
  GlossaryValidationError,
  REQUIRED_CODES,
  loadGlossary,
  missingCodes,
  termsDir,
  type Glossary,
  type GlossaryIssue,
} from "./load.js";
export { createSearchIndex, normaliseText, tokenise, type SearchHit, type SearchIndex } from "./search.js";
export { SOURCE_HOSTS, sourceProblem, type SourceHost } from "./sources.js";
