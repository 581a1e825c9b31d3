import { api, ApiError, element, formatDate, type Officer } from "./api-client.ts";

interface ModuleRow {
  moduleId: string;
  number: number;
  title: string;
  status: "not-started" | "attempted" | "completed";
  attempts: number;
  bestPercent: number | null;
  completedAt: string | null;
  certificateId: string | null;
}

const holder = document.querySelector<HTMLElement>("[data-progress]");

const cell = (...children: Array<Node | string | null>) => element("td", { class: "govuk-table__cell" }, ...children);

if (holder) {
  api<{ officer: Officer; modules: ModuleRow[] }>("/api/progress").then(
    ({ officer, modules }) => {
      const done = modules.filter((row) => row.status === "completed").length;
      const body = element("tbody", { class: "govuk-table__body" });
      for (const row of modules) {
        body.append(
          element(
            "tr",
            { class: "govuk-table__row" },
            element(
              "th",
              { scope: "row", class: "govuk-table__header" },
              element("a", { class: "govuk-link", href: `/modules/${row.moduleId}/` }, `${row.number}. ${row.title}`),
            ),
            cell(
              row.status === "completed"
                ? element("strong", { class: "govuk-tag govuk-tag--green app-status" }, "Completed")
                : row.status === "attempted"
                  ? element("strong", { class: "govuk-tag govuk-tag--yellow app-status" }, "Not passed yet")
                  : element("strong", { class: "govuk-tag govuk-tag--grey app-status" }, "Not started"),
            ),
            cell(
              row.bestPercent === null
                ? "–"
                : `${row.bestPercent}% (${row.attempts} ${row.attempts === 1 ? "attempt" : "attempts"})`,
            ),
            cell(
              row.completedAt && row.certificateId
                ? element(
                    "a",
                    { class: "govuk-link", href: `/modules/${row.moduleId}/certificate/` },
                    `Certificate ${row.certificateId}`,
                    element("span", { class: "govuk-visually-hidden" }, ` for module ${row.number}`),
                    `, ${formatDate(row.completedAt)}`,
                  )
                : element(
                    "a",
                    { class: "govuk-link", href: `/modules/${row.moduleId}/quiz/` },
                    "Take the quiz",
                    element("span", { class: "govuk-visually-hidden" }, ` for module ${row.number}`),
                  ),
            ),
          ),
        );
      }
      holder.replaceChildren(
        element(
          "p",
          { class: "govuk-body-l" },
          `${officer.displayName}${officer.organisation ? `, ${officer.organisation}` : ""}: you have completed ${done} of ${modules.length} modules.`,
        ),
        element(
          "div",
          { class: "app-table-wrap", role: "region", "aria-label": "Your modules", tabindex: "0" },
          element(
            "table",
            { class: "govuk-table" },
            element("caption", { class: "govuk-table__caption govuk-table__caption--m" }, "Your modules"),
            element(
              "thead",
              { class: "govuk-table__head" },
              element(
                "tr",
                { class: "govuk-table__row" },
                ...["Module", "Status", "Best score", "Certificate"].map((text) =>
                  element("th", { scope: "col", class: "govuk-table__header" }, text),
                ),
              ),
            ),
            body,
          ),
        ),
      );
    },
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) {
        const template = document.querySelector<HTMLTemplateElement>("[data-signed-out]");
        holder.replaceChildren(...(template ? Array.from(template.content.cloneNode(true).childNodes) : []));
      } else {
        holder.replaceChildren(
          element(
            "p",
            { class: "govuk-body" },
            error instanceof Error ? error.message : "Your progress could not be loaded.",
          ),
        );
      }
    },
  );
}
