import { api, currentOfficer, element } from "./api-client.ts";

interface ModuleRow {
  moduleId: string;
  status: "not-started" | "attempted" | "completed";
  bestPercent: number | null;
}

void currentOfficer().then(async (officer) => {
  if (!officer) return;
  const { modules } = await api<{ modules: ModuleRow[] }>("/api/progress");
  for (const row of modules) {
    const cell = document.querySelector<HTMLElement>(`[data-module-status="${row.moduleId}"]`);
    if (!cell || row.status === "not-started") continue;
    cell.replaceChildren(
      row.status === "completed"
        ? element("strong", { class: "govuk-tag govuk-tag--green app-status" }, "Completed")
        : element("strong", { class: "govuk-tag govuk-tag--yellow app-status" }, `Best score ${row.bestPercent ?? 0}%`),
    );
  }
});
