import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadGlossary } from "@safeguarding/glossary";
import { loadCourse } from "../../server/main.ts";

const lessonsDir = join(import.meta.dirname, "..", "content", "lessons");
const lessons = readdirSync(lessonsDir)
  .filter((name) => name.endsWith(".mdx"))
  .map((name) => ({ name, text: readFileSync(join(lessonsDir, name), "utf8") }));

// The Astro build also fails on an unknown id (the Term component throws); this finds it in a second.
describe("lessons", () => {
  it("has one lesson per module", async () => {
    const course = await loadCourse();
    const modules = lessons.map((lesson) => /^module: (\S+)$/m.exec(lesson.text)?.[1]).sort();
    expect(modules).toEqual(course.modules.map((module) => module.id).sort());
  });

  it("uses only glossary terms that exist", () => {
    const glossary = loadGlossary();
    const unknown = lessons.flatMap((lesson) =>
      [...lesson.text.matchAll(/<Term id="([^"]+)"/g)]
        .map((match) => match[1]!)
        .filter((id) => !glossary.byId(id))
        .map((id) => `${lesson.name}: ${id}`),
    );
    expect(unknown).toEqual([]);
  });

  it("uses glossary terms in every lesson", () => {
    for (const lesson of lessons)
      expect(lesson.text.match(/<Term id=/g)?.length ?? 0, lesson.name).toBeGreaterThanOrEqual(5);
  });

  it("never names the child from the case review", () => {
    for (const lesson of lessons) expect(lesson.text, lesson.name).not.toMatch(/chloe/i);
  });
});
