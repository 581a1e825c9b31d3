import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";
import type { IncomingMessage, ServerResponse } from "node:http";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".wasm": "application/wasm",
  ".webmanifest": "application/manifest+json",
};

const COMPRESSIBLE = new Set([".html", ".css", ".js", ".mjs", ".json", ".svg", ".txt", ".xml", ".webmanifest"]);

interface CachedFile {
  body: Buffer;
  gzip?: Buffer;
  brotli?: Buffer;
}

/** Serves the built site from `root`; the site never changes while the server runs, so files are cached. */
export function createStaticFiles(root: string) {
  const cache = new Map<string, CachedFile | null>();

  async function load(path: string): Promise<CachedFile | null> {
    if (cache.has(path)) return cache.get(path)!;
    let entry: CachedFile | null = null;
    try {
      const info = await stat(path);
      if (info.isFile()) entry = { body: await readFile(path) };
    } catch {
      entry = null;
    }
    cache.set(path, entry);
    return entry;
  }

  function send(
    request: IncomingMessage,
    response: ServerResponse,
    file: CachedFile,
    ext: string,
    status: number,
    cacheControl: string,
  ) {
    const accepts = String(request.headers["accept-encoding"] ?? "");
    let body = file.body;
    const headers: Record<string, string> = {
      "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream",
      "cache-control": cacheControl,
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
    };
    if (COMPRESSIBLE.has(ext) && body.length > 512) {
      headers.vary = "accept-encoding";
      if (/\bbr\b/.test(accepts)) {
        file.brotli ??= brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } });
        body = file.brotli;
        headers["content-encoding"] = "br";
      } else if (/\bgzip\b/.test(accepts)) {
        file.gzip ??= gzipSync(body, { level: 9 });
        body = file.gzip;
        headers["content-encoding"] = "gzip";
      }
    }
    headers["content-length"] = String(body.length);
    response.writeHead(status, headers);
    response.end(request.method === "HEAD" ? undefined : body);
  }

  return {
    /** Answers GET/HEAD for a site path; returns false when nothing matched (caller sends 404). */
    async serve(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<boolean> {
      let decoded: string;
      try {
        decoded = decodeURIComponent(pathname);
      } catch {
        return false;
      }
      const relative = normalize(decoded).replace(/^([/\\])+/, "");
      if (relative.split(sep).includes("..") || relative.includes("\0")) return false;
      const target = join(root, relative);

      if (decoded.endsWith("/")) {
        const file = await load(join(target, "index.html"));
        if (!file) return false;
        send(request, response, file, ".html", 200, "no-cache");
        return true;
      }
      const file = await load(target);
      if (file) {
        const ext = extname(target).toLowerCase();
        // Astro fingerprints everything under /_astro/, so those files never change under a name.
        const immutable = decoded.startsWith("/_astro/");
        send(
          request,
          response,
          file,
          ext,
          200,
          immutable ? "public, max-age=31536000, immutable" : "public, max-age=300",
        );
        return true;
      }
      if (await load(join(target, "index.html"))) {
        response.writeHead(308, { location: `${pathname}/` });
        response.end();
        return true;
      }
      return false;
    },

    async notFound(request: IncomingMessage, response: ServerResponse): Promise<void> {
      const page = await load(join(root, "404.html"));
      if (page) {
        send(request, response, page, ".html", 404, "no-cache");
      } else {
        response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        response.end("Page not found");
      }
    },
  };
}
