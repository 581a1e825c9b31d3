/**
 * Glossary terms in lessons: a disclosure button that shows the definition on keyboard focus,
 * on hover and on tap or click. Escape closes it; hover content stays open while the pointer is
 * over the term or its definition (WCAG 1.4.13).
 */

interface TermWidget {
  root: HTMLElement;
  button: HTMLButtonElement;
  popover: HTMLElement;
  /** Opened by click or tap: stays open until clicked again, Escape, or focus leaves. */
  pinned: boolean;
  hovered: boolean;
  /** Set while focus is moved back to the button after Escape, so it does not reopen. */
  quietFocus: boolean;
}

const widgets: TermWidget[] = [];
const EDGE = 8;

function place(widget: TermWidget) {
  const { popover } = widget;
  popover.style.left = "0px";
  const rect = popover.getBoundingClientRect();
  const overflow = rect.right - (document.documentElement.clientWidth - EDGE);
  if (overflow > 0) popover.style.left = `${-Math.min(overflow, rect.left - EDGE)}px`;
}

function open(widget: TermWidget) {
  for (const other of widgets) if (other !== widget) close(other);
  if (!widget.popover.hidden) return;
  widget.popover.hidden = false;
  widget.button.setAttribute("aria-expanded", "true");
  place(widget);
}

function close(widget: TermWidget) {
  widget.pinned = false;
  if (widget.popover.hidden) return;
  widget.popover.hidden = true;
  widget.button.setAttribute("aria-expanded", "false");
}

function setUp(root: HTMLElement) {
  const button = root.querySelector<HTMLButtonElement>(".app-term__button");
  const popover = root.querySelector<HTMLElement>(".app-term__popover");
  if (!button || !popover || root.dataset.termReady) return;
  root.dataset.termReady = "true";
  const widget: TermWidget = { root, button, popover, pinned: false, hovered: false, quietFocus: false };
  widgets.push(widget);

  button.addEventListener("click", () => {
    if (widget.popover.hidden) {
      open(widget);
      widget.pinned = true;
    } else if (widget.pinned) {
      close(widget);
    } else {
      // Already showing from focus or hover: a click keeps it open.
      widget.pinned = true;
    }
  });

  button.addEventListener("focus", () => {
    // Keyboard focus shows the definition; a mouse press is handled by the click above.
    if (widget.quietFocus) {
      widget.quietFocus = false;
      return;
    }
    if (button.matches(":focus-visible")) open(widget);
  });

  root.addEventListener("focusout", (event) => {
    const next = event.relatedTarget as Node | null;
    if (next && root.contains(next)) return;
    if (!widget.hovered) close(widget);
  });

  root.addEventListener("pointerenter", (event) => {
    if (event.pointerType !== "mouse") return;
    widget.hovered = true;
    open(widget);
  });

  root.addEventListener("pointerleave", (event) => {
    if (event.pointerType !== "mouse") return;
    widget.hovered = false;
    if (!widget.pinned && !root.contains(document.activeElement)) close(widget);
  });
}

document.querySelectorAll<HTMLElement>("[data-term]").forEach(setUp);

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const widget of widgets) {
    if (widget.popover.hidden) continue;
    const hadFocus = widget.root.contains(document.activeElement);
    close(widget);
    widget.hovered = false;
    if (hadFocus && document.activeElement !== widget.button) {
      widget.quietFocus = true;
      widget.button.focus({ preventScroll: true });
    }
  }
});

document.addEventListener("click", (event) => {
  for (const widget of widgets) {
    if (!widget.popover.hidden && !widget.root.contains(event.target as Node)) close(widget);
  }
});
