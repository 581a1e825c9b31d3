import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HttpRoute } from "@safeguarding/kit";
import {
  API_EXPLORER_CALLBACK_PATH,
  API_EXPLORER_CLIENT_ID,
  GATEWAY_RESOURCE,
  SIGN_IN_SCOPE,
} from "@safeguarding/identity-provider/constants";
import { DEMO_USERS } from "@safeguarding/shared/demo-users";
import { ACCESS_PURPOSE_CODES, ACCESS_PURPOSE_DESCRIPTIONS, ROLE_DESCRIPTIONS } from "@safeguarding/shared/identity";
import { EXAMPLE_OPERATIONS } from "./examples.js";
import type { ExplorerPageConfig } from "./page-config.js";

/** Where gateway/scripts/build-explorer.mjs puts the bundled app. */
export const EXPLORER_DIST = fileURLToPath(new URL("../../dist/explorer-app/", import.meta.url));

export const EXPLORER_PATH = "/explorer";

export interface ExplorerOptions {
  /** The identity provider the gateway trusts (AUTH_ISSUER); null when it trusts none, and then no demo sign-in. */
  issuer: string | null;
  /** The built app; EXPLORER_DIST unless a test says otherwise. */
  distDir?: string;
}

/** The build's list of files (dist/explorer-app/manifest.json). */
interface ExplorerManifest {
  /** The page, with the asset URLs in it. */
  html: string;
  /** Every file under assets/, by name; `gzip` when a .gz twin was written. */
  assets: Record<string, { gzip: boolean }>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".ttf": "font/ttf",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Asset names carry a hash of their content, so a browser may keep them; the page and its settings never. */
const IMMUTABLE = "public, max-age=31536000, immutable";
const NO_STORE = "no-store";

/** The provider the gateway already trusts (AUTH_ISSUER) is the one the explorer signs in at. */
export function explorerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ExplorerOptions {
  return { issuer: env.AUTH_ISSUER || null };
}

export function explorerPageConfig(issuer: string | null): ExplorerPageConfig {
  return {
    graphqlPath: "/graphql",
    signIn: issuer
      ? {
          issuer,
          clientId: API_EXPLORER_CLIENT_ID,
          scope: SIGN_IN_SCOPE,
          resource: GATEWAY_RESOURCE,
          callbackPath: API_EXPLORER_CALLBACK_PATH,
        }
      : null,
    demoUsers: DEMO_USERS.map((user) => ({
      id: user.id,
      name: user.name,
      role: user.role,
      roleDescription: ROLE_DESCRIPTIONS[user.role],
      organisation: user.organisation,
      note: user.note,
    })),
    purposes: ACCESS_PURPOSE_CODES.map((code) => ({ code, description: ACCESS_PURPOSE_DESCRIPTIONS[code] })),
    examples: EXAMPLE_OPERATIONS,
  };
}

/**
 * The page's Content-Security-Policy: everything from the gateway itself, nothing inline but styles (Monaco, the
 * editor inside GraphiQL, writes its theme into <style> elements and positions lines with style attributes), and
 * one other origin, the development identity provider, for the token request of its sign-in. The browser leaves
 * for the provider's sign-in page by navigation, which the policy does not govern.
 */
export function explorerContentSecurityPolicy(issuer: string | null): string {
  const connect = ["'self'", ...(issuer ? [new URL(issuer).origin] : [])].join(" ");
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "img-src 'self'",
    `connect-src ${connect}`,
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function notFound(response: ServerResponse, message: string): true {
  const body = JSON.stringify({ error: { code: "NOT_FOUND", message } });
  response.writeHead(404, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": NO_STORE,
  });
  response.end(body);
  return true;
}

function acceptsGzip(request: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
}

/**
 * The routes that serve the API explorer, for the gateway in development: the page at /explorer (and at its sign-in
 * callback), its settings, its bundled files, and a redirect there for a browser that opens / or /graphql.
 */
export function explorerRoutes(options: ExplorerOptions): Record<string, HttpRoute> {
  const distDir = options.distDir ?? EXPLORER_DIST;
  const securityHeaders = {
    "content-security-policy": explorerContentSecurityPolicy(options.issuer),
    "x-content-type-options": "nosniff",
    // The callback's address carries the authorization code until the page replaces it: never send it on.
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
  };
  const pageConfig = JSON.stringify(explorerPageConfig(options.issuer));
  let manifest: ExplorerManifest | null = null;
  const files = new Map<string, Buffer>();

  /** Read once, on the first request: the gateway starts no slower for an explorer nobody opens. */
  function loadManifest(): ExplorerManifest | null {
    const path = join(distDir, "manifest.json");
    if (!manifest && existsSync(path)) manifest = JSON.parse(readFileSync(path, "utf8")) as ExplorerManifest;
    return manifest;
  }

  function file(name: string): Buffer {
    let content = files.get(name);
    if (!content) {
      content = readFileSync(join(distDir, "assets", name));
      files.set(name, content);
    }
    return content;
  }

  function send(
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer | string,
    headers: Record<string, string>,
  ): true {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    response.writeHead(200, { ...securityHeaders, ...headers, "content-length": bytes.length });
    response.end(request.method === "HEAD" ? undefined : bytes);
    return true;
  }

  const explorer: HttpRoute = (request, response, url) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      const body = JSON.stringify({
        error: { code: "METHOD_NOT_ALLOWED", message: "The API explorer answers GET only; send GraphQL to /graphql." },
      });
      response.writeHead(405, { allow: "GET, HEAD", "content-type": "application/json; charset=utf-8" });
      response.end(body);
      return true;
    }
    const path = url.pathname;
    if (path === `${EXPLORER_PATH}/config.json`)
      return send(request, response, pageConfig, {
        "content-type": "application/json; charset=utf-8",
        "cache-control": NO_STORE,
      });
    const built = loadManifest();
    if (!built) {
      const body = JSON.stringify({
        error: { code: "EXPLORER_NOT_BUILT", message: "The API explorer has not been built: run npm run build." },
      });
      response.writeHead(503, { "content-type": "application/json; charset=utf-8" });
      response.end(body);
      return true;
    }
    if (path === EXPLORER_PATH || path === `${EXPLORER_PATH}/` || path === API_EXPLORER_CALLBACK_PATH)
      return send(request, response, built.html, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": NO_STORE,
      });
    const name = path.startsWith(`${EXPLORER_PATH}/assets/`) ? path.slice(`${EXPLORER_PATH}/assets/`.length) : "";
    // Only the names the build listed: no path from the request ever reaches the file system.
    const asset = Object.hasOwn(built.assets, name) ? built.assets[name] : undefined;
    if (!asset) return notFound(response, "No such file in the API explorer; open /explorer.");
    const type = CONTENT_TYPES[extname(name)] ?? "application/octet-stream";
    const cache = /-[A-Za-z0-9_]{8,}\.\w+$/.test(name) ? IMMUTABLE : "no-cache";
    if (asset.gzip && acceptsGzip(request))
      return send(request, response, file(`${name}.gz`), {
        "content-type": type,
        "content-encoding": "gzip",
        vary: "accept-encoding",
        "cache-control": cache,
      });
    return send(request, response, file(name), {
      "content-type": type,
      ...(asset.gzip ? { vary: "accept-encoding" } : {}),
      "cache-control": cache,
    });
  };

  /** A browser opening the GraphQL address gets the explorer; a GraphQL GET (with ?query=) still gets GraphQL. */
  const toExplorer: HttpRoute = (request, response, url) => {
    const wantsPage = String(request.headers.accept ?? "").includes("text/html");
    if (request.method !== "GET" || !wantsPage || url.searchParams.has("query")) return false;
    response.writeHead(302, { location: EXPLORER_PATH, "cache-control": NO_STORE, "content-length": 0 });
    response.end();
    return true;
  };

  return { [EXPLORER_PATH]: explorer, "/": toExplorer, "/graphql": toExplorer };
}
