import { api, ApiError, element, formatDate, type Officer } from "./api-client.ts";

interface ModuleRow {
  moduleId: string;
  number: number;
  status: "not-started" | "attempted" | "completed";
  bestPercent: number | null;
  completedAt: string | null;
}

interface Completions {
  passMarkPercent: number;
  modules: Array<{ id: string; number: number; title: string }>;
  officers: Array<{ officer: Officer; modules: ModuleRow[] }>;
}

const holder = document.querySelector<HTMLElement>("[data-supervisor]");

function fromTemplate(selector: string): Node[] {
  const template = document.querySelector<HTMLTemplateElement>(selector);
  return template ? Array.from(template.content.cloneNode(true).childNodes) : [];
}

function statusCell(row: ModuleRow) {
  const td = element("td", { class: "govuk-table__cell", "data-officer-module": row.moduleId });
  if (row.status === "completed" && row.completedAt) {
    td.append(
      element("strong", { class: "govuk-tag govuk-tag--green app-status" }, "Completed"),
      element("br"),
      `${formatDate(row.completedAt)}, best ${row.bestPercent ?? 0}%`,
    );
  } else if (row.status === "attempted") {
    td.append(
      element("strong", { class: "govuk-tag govuk-tag--yellow app-status" }, "Not passed"),
      element("br"),
      `best ${row.bestPercent ?? 0}%`,
    );
  } else {
    td.append(element("span", { class: "app-muted" }, "Not started"));
  }
  return td;
}

if (holder) {
  api<Completions>("/api/supervisor/completions").then(
    (data) => {
      const allDone = data.officers.filter((entry) => entry.modules.every((row) => row.status === "completed")).length;
      const body = element("tbody", { class: "govuk-table__body" });
      for (const entry of data.officers) {
        const done = entry.modules.filter((row) => row.status === "completed").length;
        body.append(
          element(
            "tr",
            { class: "govuk-table__row", "data-officer": entry.officer.id },
            element(
              "th",
              { scope: "row", class: "govuk-table__header" },
              entry.officer.displayName,
              element("br"),
              element("span", { class: "app-muted" }, entry.officer.organisation ?? entry.officer.username ?? ""),
            ),
            ...entry.modules.map(statusCell),
            element(
              "td",
              { class: "govuk-table__cell govuk-table__cell--numeric", "data-officer-total": "" },
              `${done} of ${data.modules.length}`,
            ),
          ),
        );
      }
      const moduleList = element(
        "ol",
        { class: "govuk-list govuk-list--number" },
        ...data.modules.map((module) =>
          element("li", {}, element("a", { class: "govuk-link", href: `/modules/${module.id}/` }, module.title)),
        ),
      );
      holder.replaceChildren(
        element(
          "p",
          { class: "govuk-body-l" },
          `${allDone} of ${data.officers.length} officers have completed all ${data.modules.length} modules. A module is completed when its quiz is passed with ${data.passMarkPercent}% or more.`,
        ),
        element(
          "div",
          { class: "app-table-wrap", role: "region", "aria-label": "Completions by officer", tabindex: "0" },
          element(
            "table",
            { class: "govuk-table app-table-compact" },
            element(
              "caption",
              { class: "govuk-table__caption govuk-table__caption--m" },
              "Completions by officer and module",
            ),
            element(
              "thead",
              { class: "govuk-table__head" },
              element(
                "tr",
                { class: "govuk-table__row" },
                element("th", { scope: "col", class: "govuk-table__header" }, "Officer"),
                ...data.modules.map((module) =>
                  element(
                    "th",
                    { scope: "col", class: "govuk-table__header" },
                    `Module ${module.number}`,
                    element("span", { class: "govuk-visually-hidden" }, `: ${module.title}`),
                  ),
                ),
                element("th", { scope: "col", class: "govuk-table__header govuk-table__header--numeric" }, "Completed"),
              ),
            ),
            body,
          ),
        ),
        element("h2", { class: "govuk-heading-m" }, "Modules"),
        moduleList,
      );
    },
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 401)
        holder.replaceChildren(...fromTemplate("[data-signed-out]"));
      else if (error instanceof ApiError && error.status === 403)
        holder.replaceChildren(...fromTemplate("[data-forbidden]"));
      else
        holder.replaceChildren(
          element(
            "p",
            { class: "govuk-body" },
            error instanceof Error ? error.message : "Completions could not be loaded.",
          ),
        );
    },
  );
}
