import { describe, expect, it } from "vitest";
import { loadGlossary } from "@safeguarding/glossary";
import { MINIMUM_QUESTIONS, PASS_MARK_PERCENT, parseCourse, scoreQuiz, type Quiz } from "./course.ts";
import { loadCourse } from "./main.ts";

const question = (id: string, answer = "a") => ({
  id,
  scenario: "An invented situation that is long enough to pass validation.",
  prompt: "What do you do?",
  options: [
    { id: "a", text: "First" },
    { id: "b", text: "Second" },
    { id: "c", text: "Third" },
  ],
  answer,
  explanation: "Because the invented rule says so, which is explained at length here.",
  source: "Invented source",
});

const quizOf = (count: number): unknown => ({
  module: "legal-status",
  questions: Array.from({ length: count }, (_, index) => question(`q${index + 1}`)),
});

const sources = (quiz: unknown = quizOf(10)) => ({
  modules: [
    {
      id: "legal-status",
      number: 1,
      title: "Legal status",
      summary: "A summary that is long enough for the schema.",
      finding: "A finding that is long enough for the schema.",
      minutes: 20,
    },
  ],
  quizzes: { "course/quizzes/legal-status.json": quiz },
});

describe("scoreQuiz", () => {
  const quiz = parseCourse(sources()).quizzes.get("legal-status") as Quiz;
  const answersWithCorrect = (correct: number) =>
    Object.fromEntries(quiz.questions.map((q, index) => [q.id, index < correct ? "a" : "b"]));

  it("passes at exactly the pass mark and not one below", () => {
    expect(PASS_MARK_PERCENT).toBe(80);
    expect(scoreQuiz(quiz, answersWithCorrect(8))).toMatchObject({ correct: 8, total: 10, percent: 80, passed: true });
    expect(scoreQuiz(quiz, answersWithCorrect(7))).toMatchObject({ correct: 7, percent: 70, passed: false });
  });

  it("never rounds a fail up to a pass", () => {
    const nine = parseCourse(sources(quizOf(9))).quizzes.get("legal-status") as Quiz;
    const seven = Object.fromEntries(nine.questions.map((q, index) => [q.id, index < 7 ? "a" : "b"]));
    // 7 of 9 is 77.8 %: below 80 % even though it would round to 78.
    expect(scoreQuiz(nine, seven)).toMatchObject({ percent: 77, passed: false });
  });

  it("explains every answer, right or wrong", () => {
    const score = scoreQuiz(quiz, answersWithCorrect(9));
    expect(score.results).toHaveLength(10);
    expect(score.results[9]).toMatchObject({ questionId: "q10", chosen: "b", correct: "a", isCorrect: false });
    expect(score.results.every((result) => result.explanation.length > 0)).toBe(true);
  });
});

describe("parseCourse", () => {
  it(`rejects a quiz with fewer than ${MINIMUM_QUESTIONS} questions and names the file`, () => {
    expect(() => parseCourse(sources(quizOf(MINIMUM_QUESTIONS - 1)))).toThrow(
      /course\/quizzes\/legal-status\.json.*questions/,
    );
  });

  it("rejects an answer that is not one of the options", () => {
    const quiz = quizOf(8) as { questions: Array<{ answer: string }> };
    quiz.questions[2]!.answer = "z";
    expect(() => parseCourse(sources(quiz))).toThrow(/question q3 gives answer "z"/);
  });

  it("rejects repeated question ids", () => {
    const quiz = quizOf(8) as { questions: Array<{ id: string }> };
    quiz.questions[1]!.id = "q1";
    expect(() => parseCourse(sources(quiz))).toThrow(/repeated question ids: q1/);
  });

  it("rejects a module without a quiz", () => {
    expect(() => parseCourse({ ...sources(), quizzes: {} })).toThrow(/Module "legal-status" has no quiz/);
  });
});

describe("the real course data", () => {
  it("has six modules, each with a valid quiz whose glossary links exist", async () => {
    const course = await loadCourse();
    const glossary = loadGlossary();
    expect(course.modules.map((module) => module.number)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const module of course.modules) {
      const quiz = course.quizzes.get(module.id)!;
      expect(quiz.questions.length).toBeGreaterThanOrEqual(MINIMUM_QUESTIONS);
      for (const q of quiz.questions) {
        for (const id of q.terms)
          expect(glossary.byId(id), `${module.id} ${q.id} links unknown term ${id}`).toBeDefined();
      }
    }
  });

  it("never names the child from the case review in a scenario", async () => {
    const course = await loadCourse();
    const text = JSON.stringify([...course.quizzes.values()]);
    expect(text).not.toMatch(/chloe/i);
  });
});
