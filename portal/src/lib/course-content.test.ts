import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sourceProblem } from "@safeguarding/glossary";
import type { Quiz, QuizQuestion } from "../../server/course.ts";
import { loadCourse } from "../../server/main.ts";

const lessonsDir = join(import.meta.dirname, "..", "content", "lessons");
// Whitespace is folded so that a sentence Prettier wraps across lines still matches.
const lesson = (module: string): string => readFileSync(join(lessonsDir, `${module}.mdx`), "utf8").replace(/\s+/g, " ");
const lessonFiles = readdirSync(lessonsDir).filter((name) => name.endsWith(".mdx"));
const course = await loadCourse();
const quiz = (module: string): Quiz => course.quizzes.get(module)!;
const question = (module: string, id: string): QuizQuestion => quiz(module).questions.find((q) => q.id === id)!;
const quizText = (module: string): string => JSON.stringify(quiz(module));

/** Share of a quiz's questions whose right answer is the longest option (a tie counts as longest). */
export function longestAnswerShare(q: Quiz): number {
  const longest = q.questions.filter((item) => {
    const right = item.options.find((option) => option.id === item.answer)!.text.length;
    return item.options.every((option) => option.id === item.answer || option.text.length <= right);
  });
  return longest.length / q.questions.length;
}

const LONGEST_LIMIT = 0.4;

describe("quizzes test judgement, not guessing", () => {
  it("flags a quiz whose right answer is always the longest", () => {
    const giveaway: Quiz = {
      module: "legal-status",
      questions: [1, 2, 3].map((n) => ({
        id: `q${n}`,
        scenario: "An invented scenario.",
        prompt: "What do you do?",
        options: [
          { id: "a", text: "Short." },
          { id: "b", text: "A much longer, carefully hedged answer that covers every base." },
        ],
        answer: "b",
        explanation: "Invented.",
        terms: [],
        source: "Invented",
      })),
    };
    expect(longestAnswerShare(giveaway)).toBe(1);
    expect(longestAnswerShare(giveaway)).toBeGreaterThan(LONGEST_LIMIT);
  });

  it.each(course.modules.map((module) => module.id))(
    "%s: the right answer is the longest option in at most 40 % of questions",
    (module) => {
      expect(longestAnswerShare(quiz(module))).toBeLessThanOrEqual(LONGEST_LIMIT);
    },
  );

  it.each(["out-of-hours", "legal-status", "missing-children"])(
    "%s asks what to do when the child found at night refuses to go back",
    (module) => {
      const scenario = quiz(module).questions.filter((q) =>
        q.terms.includes("police-powers-to-return-or-hold-a-child"),
      );
      expect(scenario.length, module).toBeGreaterThanOrEqual(1);
      for (const q of scenario) {
        expect(q.scenario).toMatch(/0[0-3]:\d\d/);
        expect(q.explanation).toMatch(/lawful power/);
        expect(q.explanation).toMatch(/Record|record/);
        // The plausible mistakes officers make are among the wrong answers.
        const wrong = q.options.filter((option) => option.id !== q.answer).map((option) => option.text);
        expect(wrong.join(" ")).toMatch(/for her own safety/);
      }
    },
  );
});

describe("lessons and quizzes cite primary sources", () => {
  it("every lesson source is on the glossary's allow-list of primary hosts", () => {
    const refused = lessonFiles.flatMap((name) =>
      [...readFileSync(join(lessonsDir, name), "utf8").matchAll(/^\s+url: (\S+)$/gm)]
        .map((match) => match[1]!)
        .filter((url) => sourceProblem(url))
        .map((url) => `${name}: ${url}`),
    );
    expect(refused).toEqual([]);
  });

  it("no quiz names a secondary source (law firms, blogs, document mirrors, local procedure manuals)", () => {
    const secondary =
      /Smith Partnership|Timms|Fosterline|PNLD|Legal Proceedings Manual|Police Professional|Mental Health Cop|Hill Dickinson|RCPsych|UK Police Law Blog|Hampshire County Council|Mental Health Law Online|Oxford Health|Tees|LexisNexis|Family Rights Group|Family Law Week|HCR Law|Knowsley|Rutland|Derbyshire|Mental Capacity Law and Policy|East Riding|Missing People|West Yorkshire|Lincolnshire|National Appropriate Adult Network|BCP Council|Northumbria|Youth Justice Legal Centre|Sefton|Mills & Reeve|Cook Lawyers|Devon County Council|South Gloucestershire|FACES|HMICFRS|as reported by/;
    for (const module of course.modules) {
      for (const q of quiz(module.id).questions) expect(q.source, `${module.id} ${q.id}`).not.toMatch(secondary);
    }
  });
});

// Issue 9: each correction, read from the shipped lesson pages and quiz JSON.
describe("issue 9 corrections in the lessons and quizzes", () => {
  it("1. returning a found child: arrange the return the council directs; force needs a lawful power", () => {
    expect(lesson("legal-status")).not.toMatch(/Return the child to the placement/);
    expect(lesson("legal-status")).toMatch(
      /Arrange the return to where the council directs\. If she refuses, force needs a lawful power: police protection when its test is met, a recovery order, or arrest for an offence\./,
    );
    expect(lesson("court-orders")).not.toMatch(/return to the placement the council directs, every time/);
    expect(lesson("court-orders")).toMatch(
      /arrange the return to where the council directs, every time; if she refuses/,
    );
    expect(lesson("legal-status")).toMatch(/Police have \*\*no general power\*\*/);
  });

  it("2. s46 is a power to consider, never a duty; the council provides the accommodation", () => {
    for (const name of lessonFiles) {
      expect(lesson(name.replace(/\.mdx$/, "")), name).not.toMatch(/use police protection on its own test/i);
    }
    expect(lesson("legal-status")).toMatch(/council-provided accommodation \(or a refuge\)/);
    expect(lesson("legal-status")).toMatch(
      /consider it only when the significant-harm test is met and no council route is available in time/,
    );
    expect(lesson("legal-status")).not.toMatch(/move the child to suitable accommodation/);
    expect(question("legal-status", "q6").explanation).toMatch(/accommodation provided by the council \(or a refuge\)/);
  });

  it("3. an interim care order is a care order for s49, s50 and a CAWN, in the lesson and the quiz", () => {
    const text = lesson("court-orders");
    expect(text).not.toMatch(/national procedures glossary|Our sources did not settle/);
    expect(text).toMatch(/includes an interim care order: section 31\(11\)/);
    expect(text).toMatch(/\*\*including an interim care order\*\* \(section 49, with section 31\(11\)\)/);
    expect(question("court-orders", "q3").scenario).toMatch(/interim care order/);
    expect(question("court-orders", "q3").explanation).toMatch(
      /care order includes an interim care order \(s31\(11\)\)/,
    );
    expect(question("court-orders", "q4").explanation).toMatch(/s31\(11\)/);
  });

  it("4. low risk is harm possible but minimal", () => {
    expect(lesson("missing-children")).toMatch(/Low risk means harm is possible but judged minimal/);
  });

  it("5. PACE s38(6): the secure-accommodation exception from age 12", () => {
    expect(lesson("out-of-hours")).toMatch(/applies only to a child aged 12 or over/);
    expect(question("out-of-hours", "q6").explanation).toMatch(/only from age 12/);
  });

  it("6. secure accommodation: further periods of up to six months", () => {
    expect(lesson("court-orders")).toMatch(/further periods of up to 6 months at a time \(regulation 12/);
  });

  it("9. mental health q8: since 2017 s136 applies anywhere except a private dwelling", () => {
    const explanation = question("mental-health", "q8").explanation;
    expect(explanation).toMatch(/anywhere except a private dwelling/);
    expect(explanation).not.toMatch(/person in a public place/);
  });

  it("11. a deprivation of liberty order is not DoLS, which is for adults", () => {
    expect(lesson("court-orders")).toMatch(/deprivation of liberty safeguards .* are for adults/);
    expect(lesson("court-orders")).toMatch(/Court of Protection/);
  });

  it("15. s49: knowingly and without lawful authority or reasonable excuse", () => {
    expect(lesson("court-orders")).toMatch(/knowingly and without lawful authority or reasonable excuse, to:/);
    expect(lesson("court-orders")).not.toMatch(/knowingly and without lawful authority, to:/);
    expect(question("court-orders", "q3").explanation).toMatch(/without lawful authority or reasonable excuse/);
  });

  it("16/17. a police station is not suitable accommodation for any child in council care", () => {
    expect(lesson("legal-status")).toMatch(
      /A police station is not suitable accommodation for any child in council care/,
    );
    expect(lesson("out-of-hours")).toMatch(
      /not suitable accommodation for a child in police protection or any child in council care/,
    );
    expect(quizText("out-of-hours")).not.toMatch(/place of safety for Amber/);
  });

  it("the out-of-hours lesson works through the 2 a.m. refusal: may, may not, whom to call, what to record", () => {
    const text = lesson("out-of-hours");
    expect(text).toMatch(/## Found at 2 a\.m\.: she will not go back/);
    for (const heading of ["What you may do", "What you may not do", "Whom you call", "What you record"]) {
      expect(text).toMatch(new RegExp(`\\*\\*${heading}\\*\\*`));
    }
    expect(text).toMatch(/the Emergency Duty Team must still be told/);
  });
});
