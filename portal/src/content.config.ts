import { defineCollection } from "astro:content";
import { glob } from "astro/loaders";
import { z } from "astro/zod";
import { GlossaryTermSchema, termsDir } from "@safeguarding/glossary";

/** The glossary's own files and Zod schema: the portal never keeps a second copy of a definition. */
const glossary = defineCollection({
  loader: glob({ pattern: "*.md", base: termsDir }),
  schema: GlossaryTermSchema,
});

const lessons = defineCollection({
  loader: glob({ pattern: "*.mdx", base: "./src/content/lessons" }),
  schema: z.strictObject({
    module: z.string().regex(/^[a-z0-9-]+$/),
    /** One or two sentences shown on the course outline and in search results. */
    description: z.string().min(20),
    sources: z
      .array(z.strictObject({ title: z.string().min(3), url: z.url() }))
      .min(2, { error: "name at least two sources for every lesson" }),
    lastReviewed: z.coerce.date(),
  }),
});

export const collections = { glossary, lessons };
