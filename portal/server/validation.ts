import type { Course, Quiz } from "./course.ts";

/** An error the caller can fix: an HTTP status, a stable code and a sentence saying what to change. */
export interface ApiError {
  status: number;
  code: string;
  message: string;
  /** Question ids at fault, so a form can mark each one. */
  questions?: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const fail = (code: string, message: string, questions?: string[]): { ok: false; error: ApiError } => ({
  ok: false,
  error: { status: 400, code, message, ...(questions ? { questions } : {}) },
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export interface AttemptRequest {
  quiz: Quiz;
  answers: Record<string, string>;
}

const questionNumber = (quiz: Quiz, id: string) => quiz.questions.findIndex((question) => question.id === id) + 1;

function listNumbers(quiz: Quiz, ids: string[]): string {
  const numbers = ids.map((id) => String(questionNumber(quiz, id)));
  return numbers.length === 1 ? numbers[0]! : `${numbers.slice(0, -1).join(", ")} and ${numbers.at(-1)}`;
}

/** Checks that every question of the module's quiz has exactly one valid option chosen, and nothing else. */
export function parseAttempt(body: unknown, course: Course): Parsed<AttemptRequest> {
  if (!isRecord(body)) {
    return fail("BAD_REQUEST_BODY", 'Send a JSON object such as {"moduleId": "legal-status", "answers": {"q1": "a"}}.');
  }
  const { moduleId, answers } = body;
  if (typeof moduleId !== "string" || moduleId === "") {
    return fail("MODULE_REQUIRED", 'Say which module the answers are for: send moduleId, for example "legal-status".');
  }
  const quiz = course.quizzes.get(moduleId);
  if (!quiz) {
    const known = course.modules.map((module) => module.id).join(", ");
    return fail("UNKNOWN_MODULE", `There is no module "${moduleId}". Use one of: ${known}.`);
  }
  if (!isRecord(answers)) {
    return fail("ANSWERS_REQUIRED", 'Send answers as an object of question id to option id, for example {"q1": "b"}.');
  }

  const unknown = Object.keys(answers).filter((id) => !quiz.questions.some((question) => question.id === id));
  if (unknown.length > 0) {
    return fail(
      "UNKNOWN_QUESTION",
      `This quiz has no question ${unknown.join(", ")}. Send answers only for q1 to q${quiz.questions.length}.`,
    );
  }
  const unanswered = quiz.questions.filter((question) => {
    const chosen = answers[question.id];
    return typeof chosen !== "string" || chosen === "";
  });
  if (unanswered.length > 0) {
    const ids = unanswered.map((question) => question.id);
    const which = ids.length === 1 ? "question" : "questions";
    return fail(
      "UNANSWERED_QUESTIONS",
      `Choose an answer for ${which} ${listNumbers(quiz, ids)}, then submit again.`,
      ids,
    );
  }
  const invalid = quiz.questions.filter(
    (question) => !question.options.some((option) => option.id === answers[question.id]),
  );
  if (invalid.length > 0) {
    const ids = invalid.map((question) => question.id);
    return fail(
      "UNKNOWN_OPTION",
      `The answer given for question ${listNumbers(quiz, ids)} is not one of its options. Choose one of the listed options.`,
      ids,
    );
  }
  return { ok: true, value: { quiz, answers: answers as Record<string, string> } };
}

export const MAX_LOOKUP_CHARS = 200;

export interface LookupRequest {
  query: string;
  first: number;
}

/** Query string of the glossary look-up: q (the text typed) and optional first (how many results, 1–25). */
export function parseLookup(params: URLSearchParams): Parsed<LookupRequest> {
  const query = params.get("q") ?? "";
  if (query.length > MAX_LOOKUP_CHARS) {
    return fail("QUERY_TOO_LONG", `Shorten the search to ${MAX_LOOKUP_CHARS} characters or fewer.`);
  }
  const rawFirst = params.get("first");
  let first = 8;
  if (rawFirst !== null) {
    first = Number(rawFirst);
    if (!/^\d+$/.test(rawFirst) || first < 1 || first > 25) {
      return fail("BAD_RESULT_COUNT", `Set first to a whole number from 1 to 25; got "${rawFirst}".`);
    }
  }
  return { ok: true, value: { query, first } };
}
