import { currentOfficer, element, signInHref } from "./api-client.ts";

const status = document.querySelector<HTMLElement>("[data-session-status]");

if (status) {
  // Signing in comes back to the page it started from, unless that is a page of signing in or out itself.
  if (!/^\/(auth|sign-in|sign-out)(\/|$)/.test(window.location.pathname))
    for (const link of document.querySelectorAll<HTMLAnchorElement>('a[href="/sign-in"]')) link.href = signInHref();
  void currentOfficer().then((officer) => {
    if (!officer) return;
    for (const item of document.querySelectorAll<HTMLElement>("[data-signed-in-only]")) item.hidden = false;
    // A form, not a link: signing out changes state (and ends the provider's session too), so it is a POST.
    const signOut = element(
      "form",
      { method: "post", action: "/sign-out", class: "app-inline-form" },
      element("button", { type: "submit", class: "govuk-link app-link-button" }, "Sign out"),
    );
    status.replaceChildren(
      "Signed in as ",
      element("strong", {}, officer.displayName),
      officer.supervisor ? " (training supervisor)" : "",
      ". ",
      signOut,
    );
  });
}
