import { api, currentOfficer, element } from "./api-client.ts";

const status = document.querySelector<HTMLElement>("[data-session-status]");

if (status) {
  void currentOfficer().then((officer) => {
    if (!officer) return;
    const signOut = element("button", { type: "button", class: "govuk-link app-link-button" }, "Sign out");
    signOut.addEventListener("click", async () => {
      await api("/api/session", { method: "DELETE" }).catch(() => undefined);
      window.location.assign("/");
    });
    status.replaceChildren(
      "Signed in as ",
      element("strong", {}, officer.displayName),
      officer.role === "supervisor" ? " (supervisor)" : "",
      ". ",
      signOut,
    );
  });
}
