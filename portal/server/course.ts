import { z } from "zod";

/** An officer passes a module quiz with at least this percentage of correct answers. */
export const PASS_MARK_PERCENT = 80;

/** Questions each module quiz must have at least, so one lucky guess cannot carry a pass. */
export const MINIMUM_QUESTIONS = 8;

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "use lower-case letters, digits and single hyphens");

export const CourseModuleSchema = z.strictObject({
  id: slug,
  number: z.number().int().min(1),
  title: z.string().min(5),
  summary: z.string().min(20),
  /** What the case review found that this module answers, in our own words. */
  finding: z.string().min(20),
  minutes: z.number().int().positive(),
});
export type CourseModule = z.infer<typeof CourseModuleSchema>;

export const QuizOptionSchema = z.strictObject({
  id: z.string().regex(/^[a-z]$/, "option ids are single lower-case letters"),
  text: z.string().min(1),
});

export const QuizQuestionSchema = z
  .strictObject({
    id: z.string().regex(/^q\d{1,2}$/, "question ids look like q1, q2, …"),
    scenario: z.string().min(30),
    prompt: z.string().min(5),
    options: z.array(QuizOptionSchema).min(3).max(5),
    answer: z.string(),
    explanation: z.string().min(40),
    /** Glossary ids to read next; each must exist in the glossary (checked at build). */
    terms: z.array(slug).default([]),
    /** Where the point comes from, named in words (e.g. "Children Act 1989 s33"). */
    source: z.string().min(3),
  })
  .superRefine((question, ctx) => {
    const ids = question.options.map((option) => option.id);
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: "custom", message: `question ${question.id} repeats an option id`, path: ["options"] });
    }
    if (!ids.includes(question.answer)) {
      ctx.addIssue({
        code: "custom",
        message: `question ${question.id} gives answer "${question.answer}", which is not one of its options (${ids.join(", ")})`,
        path: ["answer"],
      });
    }
  });
export type QuizQuestion = z.infer<typeof QuizQuestionSchema>;

export const QuizSchema = z
  .strictObject({
    module: slug,
    questions: z.array(QuizQuestionSchema).min(MINIMUM_QUESTIONS),
  })
  .superRefine((quiz, ctx) => {
    const ids = quiz.questions.map((question) => question.id);
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
    if (repeated.length > 0) {
      ctx.addIssue({ code: "custom", message: `repeated question ids: ${repeated.join(", ")}`, path: ["questions"] });
    }
  });
export type Quiz = z.infer<typeof QuizSchema>;

export interface Course {
  modules: CourseModule[];
  quizzes: Map<string, Quiz>;
  moduleById(id: string): CourseModule | undefined;
}

export interface CourseSources {
  modules: unknown;
  /** Quiz JSON keyed by file name, used in error messages. */
  quizzes: Record<string, unknown>;
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

/** Validates the course data and its cross-references; throws a message naming the file and the fault. */
export function parseCourse(sources: CourseSources): Course {
  const modulesResult = z.array(CourseModuleSchema).min(1).safeParse(sources.modules);
  if (!modulesResult.success) throw new Error(`course/modules.json is invalid: ${describe(modulesResult.error)}`);
  const modules = [...modulesResult.data].sort((a, b) => a.number - b.number);

  const quizzes = new Map<string, Quiz>();
  for (const [file, raw] of Object.entries(sources.quizzes)) {
    const result = QuizSchema.safeParse(raw);
    if (!result.success) throw new Error(`Quiz ${file} is invalid: ${describe(result.error)}`);
    if (!modules.some((module) => module.id === result.data.module)) {
      throw new Error(`Quiz ${file} is for module "${result.data.module}", which course/modules.json does not list.`);
    }
    if (quizzes.has(result.data.module)) throw new Error(`Quiz ${file} repeats module "${result.data.module}".`);
    quizzes.set(result.data.module, result.data);
  }
  for (const module of modules) {
    if (!quizzes.has(module.id)) throw new Error(`Module "${module.id}" has no quiz in course/quizzes/.`);
  }
  return {
    modules,
    quizzes,
    moduleById: (id) => modules.find((module) => module.id === id),
  };
}

export interface QuestionResult {
  questionId: string;
  chosen: string;
  correct: string;
  isCorrect: boolean;
  explanation: string;
  source: string;
  terms: string[];
}

export interface QuizScore {
  correct: number;
  total: number;
  percent: number;
  passed: boolean;
  results: QuestionResult[];
}

/** Scores a complete set of answers (question id → option id) against the quiz's own answer key. */
export function scoreQuiz(quiz: Quiz, answers: Readonly<Record<string, string>>): QuizScore {
  const results = quiz.questions.map((question) => {
    const chosen = answers[question.id] ?? "";
    return {
      questionId: question.id,
      chosen,
      correct: question.answer,
      isCorrect: chosen === question.answer,
      explanation: question.explanation,
      source: question.source,
      terms: question.terms,
    };
  });
  const correct = results.filter((result) => result.isCorrect).length;
  const total = quiz.questions.length;
  return {
    correct,
    total,
    percent: Math.floor((correct * 100) / total),
    // Integer comparison, so 8 of 10 is exactly 80 % and passes.
    passed: correct * 100 >= PASS_MARK_PERCENT * total,
    results,
  };
}
