/**
 * Keeps an open "Your alerts" page current: the server-rendered page is complete without this; the stream
 * (/alerts/stream, server-sent events) only replaces the list when it changes, keeping any note being typed and the
 * keyboard focus, and says new alerts politely to screen readers.
 */

export {};

const list = document.querySelector<HTMLElement>("[data-alerts-list]");
const announcer = document.querySelector<HTMLElement>("[data-alerts-announcer]");
const status = document.querySelector<HTMLElement>("[data-alerts-stream-status]");
const streamUrl = list?.dataset.alertsStream;

const alertIds = (root: HTMLElement) =>
  new Set([...root.querySelectorAll<HTMLElement>("[data-alert-id]")].map((item) => item.dataset.alertId!));

function showStatus(content: (string | Node)[]) {
  if (!status) return;
  const paragraph = document.createElement("p");
  paragraph.className = "govuk-body govuk-!-font-weight-bold";
  paragraph.append(...content);
  status.replaceChildren(paragraph);
  status.hidden = false;
  if (announcer) announcer.textContent = paragraph.textContent;
}

function replaceList(root: HTMLElement, html: string) {
  const before = alertIds(root);
  // What the officer is in the middle of survives the refresh: notes by alert, focus and caret by element id.
  const notes = new Map<string, string>();
  for (const note of root.querySelectorAll<HTMLTextAreaElement>("textarea[id]")) notes.set(note.id, note.value);
  const focused = document.activeElement instanceof HTMLElement && root.contains(document.activeElement);
  const focusedId = focused ? (document.activeElement as HTMLElement).id : "";
  const caret =
    document.activeElement instanceof HTMLTextAreaElement
      ? [document.activeElement.selectionStart, document.activeElement.selectionEnd]
      : null;

  root.innerHTML = html;

  for (const [id, value] of notes) {
    const note = document.getElementById(id);
    if (note instanceof HTMLTextAreaElement && value) note.value = value;
  }
  const refocus = focusedId ? document.getElementById(focusedId) : null;
  if (refocus && root.contains(refocus)) {
    refocus.focus({ preventScroll: true });
    if (refocus instanceof HTMLTextAreaElement && caret) refocus.setSelectionRange(caret[0], caret[1]);
  } else if (focused) {
    // What had focus went (its alert was acknowledged elsewhere): the page heading, not the top of the document.
    document.querySelector<HTMLElement>("h1")?.setAttribute("tabindex", "-1");
    document.querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
  }

  const added = [...root.querySelectorAll<HTMLElement>("[data-alert-id]")].filter(
    (item) => !before.has(item.dataset.alertId!),
  );
  if (announcer && added.length > 0) {
    const titles = added.map((item) => item.dataset.alertTitle ?? "");
    announcer.textContent =
      added.length === 1 ? `New alert: ${titles[0]}.` : `${added.length} new alerts: ${titles.join("; ")}.`;
  }
}

if (list && streamUrl && "EventSource" in window) {
  const source = new EventSource(streamUrl);
  source.addEventListener("alerts", (event) => {
    const { html } = JSON.parse((event as MessageEvent<string>).data) as { html: string };
    replaceList(list, html);
    if (status) status.hidden = true;
  });
  source.addEventListener("problem", (event) => {
    const { message } = JSON.parse((event as MessageEvent<string>).data) as { message: string };
    showStatus([message, " The list below may be out of date."]);
  });
  source.addEventListener("signed-out", (event) => {
    source.close();
    const { signIn } = JSON.parse((event as MessageEvent<string>).data) as { signIn: string };
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = signIn;
    link.textContent = "Sign in again";
    showStatus(["Your sign-in has ended, so this list is no longer kept up to date. ", link, "."]);
  });
}
