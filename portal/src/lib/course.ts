import { parseCourse } from "../../server/course.ts";
import modules from "../../course/modules.json";
import { requireTerm } from "./glossary.ts";

const quizFiles = import.meta.glob<unknown>("../../course/quizzes/*.json", { eager: true, import: "default" });

/** The same course data and Zod validation the server scores against. */
export const course = parseCourse({
  modules,
  quizzes: Object.fromEntries(Object.entries(quizFiles).map(([path, data]) => [path.replace(/^(\.\.\/)+/, ""), data])),
});

for (const quiz of course.quizzes.values()) {
  for (const question of quiz.questions) {
    for (const id of question.terms) requireTerm(id, `Quiz course/quizzes/${quiz.module}.json question ${question.id}`);
  }
}

export const moduleHref = (id: string) => `/modules/${id}/`;
export const quizHref = (id: string) => `/modules/${id}/quiz/`;
export const certificateHref = (id: string) => `/modules/${id}/certificate/`;
