import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeHtml } from "./html.ts";

/**
 * Pages the server writes itself (the action card and the pages around it, sign-in problems), inside a page of the
 * built site, so they have the portal's header, navigation and styles without a second template.
 */

export interface Shell {
  before: string;
  after: string;
}

/** A page of the built site split around its <main>; a bare page if the site is not built. */
export async function loadShell(siteDir: string, file: string): Promise<Shell> {
  try {
    const html = await readFile(join(siteDir, file), "utf8");
    const match = /^([\s\S]*<main\b[^>]*>)[\s\S]*(<\/main>[\s\S]*)$/.exec(html);
    if (match) return { before: match[1].replace(/<link rel="canonical"[^>]*>/, ""), after: match[2] };
  } catch {
    // fall through to a bare page
  }
  return {
    before: `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Safeguarding Gateway</title></head><body><main id="main-content">`,
    after: `</main></body></html>`,
  };
}

export function page(shell: Shell, title: string, body: string): string {
  const before = shell.before
    .replace(/<title>[\s\S]*?<\/title>/, `<title>${escapeHtml(title)} – Safeguarding Gateway</title>`)
    .replace(/(<meta name="description" content=")[^"]*(")/, `$1${escapeHtml(title)}$2`);
  return `${before}${body}${shell.after}`;
}

/** Sentences as paragraphs; each must already be HTML (escaped text or markup). */
export const paragraphs = (sentences: string[]) => sentences.map((s) => `<p class="govuk-body">${s}</p>`).join("");

/** A heading and plain sentences, all escaped. */
export const problemPage = (heading: string, sentences: string[]) =>
  `<h1 class="govuk-heading-l">${escapeHtml(heading)}</h1>${paragraphs(sentences.map(escapeHtml))}`;

/**
 * Sends pages inside the shell of one built page (`file`, relative to the site). Forms and messages read best at
 * two-thirds width, as on the site's own pages; `layout: "full"` uses the whole width (the card).
 */
export function createPageSender(siteDir: string, file: string) {
  let shell: Promise<Shell> | undefined;
  return async function sendPage(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    title: string,
    body: string,
    options: { layout?: "full" | "column"; headers?: Record<string, string | string[]> } = {},
  ): Promise<void> {
    shell ??= loadShell(siteDir, file);
    const main =
      options.layout === "full"
        ? body
        : `<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">${body}</div></div>`;
    const html = page(await shell, title, main);
    response.writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "content-length": String(Buffer.byteLength(html)),
      // These pages are about one person (a child's card, a sign-in): never cached, their address never passed on.
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "x-robots-tag": "noindex",
      ...options.headers,
    });
    response.end(request.method === "HEAD" ? undefined : html);
  };
}

export type PageSender = ReturnType<typeof createPageSender>;
