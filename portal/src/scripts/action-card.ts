import { currentOfficer } from "./api-client.ts";

const signInNotice = document.querySelector<HTMLElement>("[data-action-card-sign-in]");

if (signInNotice) {
  void currentOfficer().then((officer) => {
    if (!officer) signInNotice.hidden = false;
  });
}
