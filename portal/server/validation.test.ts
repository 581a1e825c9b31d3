import { describe, expect, it } from "vitest";
import { loadCourse } from "./main.ts";
import { parseAttempt, parseLookup } from "./validation.ts";

const course = await loadCourse();
const quiz = course.quizzes.get("legal-status")!;
const allAnswers = () => Object.fromEntries(quiz.questions.map((question) => [question.id, question.answer]));

describe("parseAttempt", () => {
  it("accepts one valid option for every question", () => {
    const parsed = parseAttempt({ moduleId: "legal-status", answers: allAnswers() }, course);
    expect(parsed.ok).toBe(true);
  });

  it.each([
    [null, "BAD_REQUEST_BODY"],
    [[], "BAD_REQUEST_BODY"],
    [{ answers: {} }, "MODULE_REQUIRED"],
    [{ moduleId: "knitting", answers: {} }, "UNKNOWN_MODULE"],
    [{ moduleId: "legal-status", answers: ["a"] }, "ANSWERS_REQUIRED"],
    [{ moduleId: "legal-status", answers: { q99: "a" } }, "UNKNOWN_QUESTION"],
  ])("rejects %j with %s", (body, code) => {
    const parsed = parseAttempt(body, course);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toMatchObject({ status: 400, code });
      expect(parsed.error.message).toMatch(/\.$/);
    }
  });

  it("lists every unanswered question by number so the form can mark them", () => {
    const answers = allAnswers();
    delete answers.q2;
    delete answers.q5;
    const parsed = parseAttempt({ moduleId: "legal-status", answers }, course);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe("UNANSWERED_QUESTIONS");
      expect(parsed.error.message).toBe("Choose an answer for questions 2 and 5, then submit again.");
      expect(parsed.error.questions).toEqual(["q2", "q5"]);
    }
  });

  it("rejects an option the question does not have", () => {
    const parsed = parseAttempt({ moduleId: "legal-status", answers: { ...allAnswers(), q3: "z" } }, course);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ code: "UNKNOWN_OPTION", questions: ["q3"] });
  });

  it("rejects a non-string answer as unanswered", () => {
    const parsed = parseAttempt({ moduleId: "legal-status", answers: { ...allAnswers(), q1: 1 } }, course);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.questions).toEqual(["q1"]);
  });
});

describe("parseLookup", () => {
  it("defaults to eight results", () => {
    expect(parseLookup(new URLSearchParams("q=ico"))).toEqual({ ok: true, value: { query: "ico", first: 8 } });
  });

  it.each(["0", "26", "2.5", "ten"])("rejects first=%s", (first) => {
    const parsed = parseLookup(new URLSearchParams({ q: "ico", first }));
    expect(!parsed.ok && parsed.error.code).toBe("BAD_RESULT_COUNT");
  });

  it("rejects an over-long query", () => {
    const parsed = parseLookup(new URLSearchParams({ q: "x".repeat(201) }));
    expect(!parsed.ok && parsed.error.code).toBe("QUERY_TOO_LONG");
  });
});
