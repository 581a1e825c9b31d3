import { api, element } from "./api-client.ts";

interface LookupResult {
  id: string;
  term: string;
  abbreviations: string[];
  meaning: string;
  href: string;
}

const form = document.querySelector<HTMLFormElement>("[data-lookup-form]");
const input = document.querySelector<HTMLInputElement>("[data-lookup-input]");
const list = document.querySelector<HTMLUListElement>("[data-lookup-results]");
const status = document.querySelector<HTMLElement>("[data-lookup-status]");

if (form && input && list && status) {
  let results: LookupResult[] = [];
  let active = -1;
  let sequence = 0;
  /** The request for what is in the box now; Enter waits for it so a fast typist still opens the best match. */
  let pending: Promise<void> = Promise.resolve();
  let timer: number | undefined;

  const optionId = (index: number) => `lookup-option-${index}`;

  function setActive(index: number) {
    active = results.length === 0 ? -1 : (index + results.length) % results.length;
    list!.querySelectorAll<HTMLElement>("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === active));
    });
    if (active >= 0) {
      input!.setAttribute("aria-activedescendant", optionId(active));
      document.getElementById(optionId(active))?.scrollIntoView({ block: "nearest" });
    } else {
      input!.removeAttribute("aria-activedescendant");
    }
  }

  function render(query: string) {
    list!.replaceChildren(
      ...results.map((result, index) =>
        element(
          "li",
          {
            id: optionId(index),
            role: "option",
            class: "app-lookup__option",
            "aria-selected": "false",
            "data-href": result.href,
          },
          element(
            "span",
            { class: "app-lookup__term" },
            result.term,
            result.abbreviations.length > 0
              ? element("span", { class: "app-lookup__abbr" }, ` (${result.abbreviations.join(", ")})`)
              : null,
          ),
          element("span", { class: "app-lookup__meaning" }, result.meaning),
        ),
      ),
    );
    const open = results.length > 0;
    list!.hidden = !open;
    input!.setAttribute("aria-expanded", String(open));
    setActive(open ? 0 : -1);
    if (query.trim() === "") status!.textContent = "";
    else if (!open) status!.textContent = `No terms match “${query}”. Try an abbreviation or fewer words.`;
    else
      status!.textContent = `${results.length} ${results.length === 1 ? "term matches" : "terms match"}. The best match is ${results[0]!.term}; press Enter to open it.`;
  }

  function lookUp(query: string): Promise<void> {
    const mine = ++sequence;
    if (query.trim() === "") {
      results = [];
      render(query);
      return Promise.resolve();
    }
    return api<{ results: LookupResult[] }>(`/api/glossary/search?first=8&q=${encodeURIComponent(query)}`).then(
      (answer) => {
        if (mine !== sequence) return;
        results = answer.results;
        render(query);
      },
      (error: Error) => {
        if (mine !== sequence) return;
        results = [];
        render("");
        status!.textContent = error.message;
      },
    );
  }

  function openActive() {
    const chosen = results[active] ?? results[0];
    if (chosen) window.location.assign(chosen.href);
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    const query = input.value;
    pending = new Promise((resolve) => {
      timer = window.setTimeout(() => void lookUp(query).then(resolve), 40);
    });
  });

  input.addEventListener("keydown", (event) => {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        setActive(active + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        setActive(active - 1);
        break;
      case "Home":
      case "End":
        if (results.length > 0 && event.ctrlKey) {
          event.preventDefault();
          setActive(event.key === "Home" ? 0 : results.length - 1);
        }
        break;
      case "Enter":
        event.preventDefault();
        void pending.then(openActive);
        break;
      case "Escape":
        if (input.value !== "" || results.length > 0) {
          event.preventDefault();
          input.value = "";
          window.clearTimeout(timer);
          pending = lookUp("");
        }
        break;
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void pending.then(openActive);
  });

  list.addEventListener("click", (event) => {
    const option = (event.target as HTMLElement).closest<HTMLElement>("[role=option]");
    if (option?.dataset.href) window.location.assign(option.dataset.href);
  });

  // A search carried over from another page (?q=…) or restored by the browser starts at once.
  const carried = new URLSearchParams(window.location.search).get("q");
  if (carried && input.value === "") input.value = carried;
  if (input.value !== "") pending = lookUp(input.value);
}
