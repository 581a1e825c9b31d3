import { element } from "./api-client.ts";

/** Pagefind's browser API (dist/pagefind/pagefind.js), written by `pagefind --site dist` after the Astro build. */
interface Pagefind {
  options(options: Record<string, unknown>): Promise<void>;
  search(query: string): Promise<{ results: Array<{ id: string; data(): Promise<PagefindPage> }> }>;
}

interface PagefindPage {
  url: string;
  excerpt: string;
  meta: { title?: string };
}

const form = document.querySelector<HTMLFormElement>("[data-site-search]");
const input = form?.querySelector<HTMLInputElement>("input[name=q]");
const status = document.querySelector<HTMLElement>("[data-site-search-status]");
const list = document.querySelector<HTMLOListElement>("[data-site-search-results]");

let pagefind: Promise<Pagefind> | undefined;
const loadPagefind = () => {
  const path = "/pagefind/pagefind.js";
  pagefind ??= (import(/* @vite-ignore */ path) as Promise<Pagefind>).then(async (module) => {
    await module.options({ excerptLength: 24 });
    return module;
  });
  return pagefind;
};

/** Pagefind marks matches with <mark>; keep only text and those marks. */
function excerpt(html: string): Node {
  const holder = document.createElement("p");
  holder.className = "govuk-body";
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild!;
  for (const node of Array.from(parsed.childNodes)) {
    if (node.nodeName === "MARK") holder.append(element("mark", {}, node.textContent ?? ""));
    else holder.append(node.textContent ?? "");
  }
  return holder;
}

async function run(query: string) {
  if (!status || !list) return;
  if (query.trim() === "") {
    status.textContent = "";
    list.replaceChildren();
    return;
  }
  status.textContent = "Searching…";
  try {
    const engine = await loadPagefind();
    const found = await engine.search(query);
    const pages = await Promise.all(found.results.slice(0, 20).map((result) => result.data()));
    list.replaceChildren(
      ...pages.map((page) =>
        element(
          "li",
          { class: "app-search-result" },
          element(
            "h2",
            { class: "govuk-heading-s govuk-!-margin-bottom-1" },
            element("a", { class: "govuk-link", href: page.url }, page.meta.title ?? page.url),
          ),
          excerpt(page.excerpt),
        ),
      ),
    );
    status.textContent =
      pages.length === 0
        ? `No pages match “${query}”. Check the spelling or try the term look-up.`
        : `${found.results.length} ${found.results.length === 1 ? "page matches" : "pages match"} “${query}”${found.results.length > 20 ? "; showing the first 20" : ""}.`;
  } catch {
    status.textContent = "Search is not available right now. Use the glossary A to Z or the course outline instead.";
  }
}

if (form && input) {
  const initial = new URLSearchParams(window.location.search).get("q") ?? "";
  input.value = initial;
  if (initial) void run(initial);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value;
    history.replaceState(null, "", query ? `/search/?q=${encodeURIComponent(query)}` : "/search/");
    void run(query);
  });
}
