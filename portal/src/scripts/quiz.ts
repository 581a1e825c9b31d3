import { api, ApiError, currentOfficer, element, formatDate, signInHref } from "./api-client.ts";

interface QuestionResult {
  questionId: string;
  chosen: string;
  correct: string;
  isCorrect: boolean;
  explanation: string;
  source: string;
}

interface Attempt {
  correct: number;
  total: number;
  percent: number;
  passed: boolean;
  passMarkPercent: number;
  completion: { completedAt: string; certificateId: string; percent: number } | null;
  results: QuestionResult[];
}

const form = document.querySelector<HTMLFormElement>("[data-quiz-form]");
const errors = document.querySelector<HTMLElement>("[data-quiz-errors]");
const resultBox = document.querySelector<HTMLElement>("[data-quiz-result]");
const signInNotice = document.querySelector<HTMLElement>("[data-quiz-sign-in]");

/** replaceChildren() would print "null" for a missing child, so drop them first. */
const present = (...nodes: Array<Node | string | null>): Array<Node | string> =>
  nodes.filter((node): node is Node | string => node !== null);

const questionIds = () =>
  Array.from(document.querySelectorAll<HTMLElement>("[data-question]")).map((node) => node.dataset.question!);
const questionNumber = (id: string) => questionIds().indexOf(id) + 1;
const optionLabel = (questionId: string, optionId: string) =>
  document.querySelector<HTMLLabelElement>(`label[for="${questionId}-${optionId}"]`)?.textContent?.trim() ?? optionId;

function clearErrors() {
  errors?.replaceChildren();
  for (const id of questionIds()) {
    document.getElementById(`${id}-group`)?.classList.remove("govuk-form-group--error");
    const message = document.getElementById(`${id}-error`);
    if (message) {
      message.hidden = true;
      message.replaceChildren();
    }
    const fieldset = document.querySelector(`#${id}-group fieldset`);
    fieldset?.setAttribute("aria-describedby", `${id}-scenario`);
  }
}

function showErrors(items: Array<{ text: string; href?: string }>) {
  if (!errors) return;
  const list = element("ul", { class: "govuk-list govuk-error-summary__list" });
  for (const item of items) {
    list.append(element("li", {}, item.href ? element("a", { href: item.href }, item.text) : item.text));
  }
  errors.replaceChildren(
    element(
      "div",
      { class: "govuk-error-summary", "data-module": "govuk-error-summary" },
      element(
        "div",
        { role: "alert" },
        element("h2", { class: "govuk-error-summary__title" }, "There is a problem"),
        element("div", { class: "govuk-error-summary__body" }, list),
      ),
    ),
  );
  document.title = document.title.startsWith("Error: ") ? document.title : `Error: ${document.title}`;
  errors.focus();
}

function markQuestionErrors(ids: string[]) {
  for (const id of ids) {
    const text = `Choose an answer for question ${questionNumber(id)}`;
    document.getElementById(`${id}-group`)?.classList.add("govuk-form-group--error");
    const message = document.getElementById(`${id}-error`);
    if (message) {
      message.replaceChildren(element("span", { class: "govuk-visually-hidden" }, "Error: "), text);
      message.hidden = false;
    }
    document.querySelector(`#${id}-group fieldset`)?.setAttribute("aria-describedby", `${id}-scenario ${id}-error`);
  }
}

function setLocked(locked: boolean) {
  form?.classList.toggle("app-quiz--marked", locked);
  form?.querySelectorAll<HTMLInputElement>("input[type=radio]").forEach((input) => {
    input.disabled = locked;
  });
  const submit = form?.querySelector<HTMLButtonElement>("[data-quiz-submit]");
  if (submit) submit.hidden = locked;
}

function hideFeedback() {
  for (const id of questionIds()) {
    const feedback = document.getElementById(`${id}-feedback`);
    if (!feedback) continue;
    feedback.hidden = true;
    feedback.classList.remove("app-result--correct", "app-result--wrong");
  }
}

function showFeedback(results: QuestionResult[]) {
  for (const result of results) {
    const feedback = document.getElementById(`${result.questionId}-feedback`);
    const body = feedback?.querySelector<HTMLElement>("[data-feedback-body]");
    if (!feedback || !body) continue;
    feedback.classList.add(result.isCorrect ? "app-result--correct" : "app-result--wrong");
    const verdict = element(
      "strong",
      { class: `govuk-tag app-tag-wide ${result.isCorrect ? "govuk-tag--green" : "govuk-tag--red"}` },
      result.isCorrect ? "Correct" : "Not the best answer",
    );
    body.replaceChildren(
      ...present(
        element("p", { class: "govuk-body" }, verdict),
        result.isCorrect
          ? null
          : element("p", { class: "govuk-body" }, "You chose: ", optionLabel(result.questionId, result.chosen)),
        element(
          "p",
          { class: "govuk-body" },
          element("strong", {}, "Best answer: "),
          optionLabel(result.questionId, result.correct),
        ),
        element("p", { class: "govuk-body" }, result.explanation),
        element("p", { class: "govuk-body-s" }, `Source: ${result.source}`),
      ),
    );
    feedback.hidden = false;
  }
}

function showResult(attempt: Attempt) {
  if (!resultBox || !form) return;
  const score = `You scored ${attempt.correct} out of ${attempt.total} (${attempt.percent}%)`;
  const certificateHref = form.dataset.certificateHref!;
  const retry = element(
    "button",
    { type: "button", class: "govuk-button govuk-button--secondary", "data-module": "govuk-button" },
    "Take the quiz again",
  );
  retry.addEventListener("click", () => {
    form.reset();
    hideFeedback();
    setLocked(false);
    resultBox.replaceChildren();
    document.getElementById(`${questionIds()[0]}-heading`)?.scrollIntoView();
    form.querySelector<HTMLInputElement>("input[type=radio]")?.focus();
  });

  if (attempt.passed) {
    const completion = attempt.completion;
    const panel = element(
      "div",
      { class: "govuk-panel govuk-panel--confirmation" },
      element("h2", { class: "govuk-panel__title" }, "Module completed"),
      element("div", { class: "govuk-panel__body" }, score),
    );
    const recorded = completion
      ? element(
          "p",
          { class: "govuk-body" },
          `Your completion is recorded (first passed on ${formatDate(completion.completedAt)}, certificate ${completion.certificateId}). Your supervisor can see it.`,
        )
      : null;
    const certificateLink = element(
      "p",
      { class: "govuk-body" },
      element(
        "a",
        { class: "govuk-link", href: certificateHref, "data-certificate-link": "" },
        "View and print your certificate",
      ),
    );
    resultBox.replaceChildren(
      ...present(
        panel,
        recorded,
        certificateLink,
        element("p", { class: "govuk-body" }, "Every answer is explained below the question."),
        retry,
      ),
    );
  } else {
    resultBox.replaceChildren(
      element("h2", { class: "govuk-heading-l" }, score),
      element(
        "p",
        { class: "govuk-body" },
        `You need ${attempt.passMarkPercent}% to complete this module. Your attempt is recorded. Read the explanation under each question, then try again.`,
      ),
      retry,
    );
  }
  document.title = `${attempt.passed ? "Passed" : "Not passed yet"}: ${document.title.replace(/^(Error|Passed|Not passed yet): /, "")}`;
  resultBox.focus();
  resultBox.scrollIntoView();
}

if (form) {
  void currentOfficer().then((officer) => {
    if (!officer && signInNotice) signInNotice.hidden = false;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector<HTMLButtonElement>("[data-quiz-submit]");
    if (submit?.disabled) return;
    const answers: Record<string, string> = {};
    for (const id of questionIds()) {
      const chosen = form.querySelector<HTMLInputElement>(`input[name="${id}"]:checked`);
      if (chosen) answers[id] = chosen.value;
    }
    clearErrors();
    if (submit) submit.disabled = true;
    try {
      const { attempt } = await api<{ attempt: Attempt }>("/api/attempts", {
        method: "POST",
        body: { moduleId: form.dataset.moduleId, answers },
      });
      document.title = document.title.replace(/^Error: /, "");
      setLocked(true);
      showFeedback(attempt.results);
      showResult(attempt);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) {
        showErrors([
          {
            text: "Sign in before you submit, so your result can be recorded",
            href: signInHref(window.location.pathname),
          },
        ]);
      } else if (error.body.questions && error.body.questions.length > 0) {
        markQuestionErrors(error.body.questions);
        showErrors(
          error.body.questions.map((id) => ({
            text: `Choose an answer for question ${questionNumber(id)}`,
            href: `#${id}-${document.querySelector<HTMLInputElement>(`input[name="${id}"]`)?.value ?? "a"}`,
          })),
        );
      } else {
        showErrors([{ text: error.body.message }]);
      }
    } finally {
      if (submit) submit.disabled = false;
    }
  });
}
