import { api, ApiError, element } from "./api-client.ts";

const form = document.querySelector<HTMLFormElement>("[data-sign-in-form]");
const errors = document.querySelector<HTMLElement>("[data-sign-in-errors]");

/** Only a path on this site, so the sign-in page cannot be used to send people elsewhere. */
function returnPath(): string {
  const wanted = new URLSearchParams(window.location.search).get("return") ?? "";
  return /^\/(?!\/)[\w\-./%?=&+]*$/.test(wanted) ? wanted : "/progress/";
}

function showError(message: string) {
  document.getElementById("officer-group")?.classList.add("govuk-form-group--error");
  const inline = document.getElementById("officer-error");
  if (inline) {
    inline.hidden = false;
    inline.replaceChildren(element("span", { class: "govuk-visually-hidden" }, "Error: "), message);
  }
  document.querySelector("#officer-group fieldset")?.setAttribute("aria-describedby", "officer-hint officer-error");
  errors?.replaceChildren(
    element(
      "div",
      { class: "govuk-error-summary", "data-module": "govuk-error-summary" },
      element(
        "div",
        { role: "alert" },
        element("h2", { class: "govuk-error-summary__title" }, "There is a problem"),
        element(
          "div",
          { class: "govuk-error-summary__body" },
          element(
            "ul",
            { class: "govuk-list govuk-error-summary__list" },
            element("li", {}, element("a", { href: "#officer" }, message)),
          ),
        ),
      ),
    ),
  );
  if (!document.title.startsWith("Error: ")) document.title = `Error: ${document.title}`;
  errors?.focus();
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const chosen = form.querySelector<HTMLInputElement>("input[name=officerId]:checked");
  if (!chosen) {
    showError("Choose the demo officer you want to sign in as");
    return;
  }
  try {
    await api("/api/session", { method: "POST", body: { officerId: chosen.value } });
    window.location.assign(returnPath());
  } catch (error) {
    showError(error instanceof ApiError ? error.body.message : "Signing in failed. Try again.");
  }
});
