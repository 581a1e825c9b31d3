import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AddressInfo } from "node:net";
import { defaultDataDir, isProduction } from "@safeguarding/shared/config";
import { withRequestLog } from "@safeguarding/shared/log";
import { openStore, type Dialect } from "@safeguarding/shared/store";
import { loadGlossary } from "@safeguarding/glossary";
import { createActionCardRoutes } from "./action-card-routes.ts";
import { createAlertsRoutes } from "./alerts-routes.ts";
import { createApi } from "./api.ts";
import {
  DEFAULT_GATEWAY_URL,
  DEFAULT_OIDC_CLIENT_ID,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_OIDC_RESOURCE,
  DEFAULT_OIDC_ROLE_CLAIM,
  DEFAULT_OIDC_SCOPE,
  developmentClientSecret,
  portalConfigFromEnv,
  type OidcConfig,
} from "./config.ts";
import { parseCourse, type Course } from "./course.ts";
import { createOidcClient } from "./oidc.ts";
import { createPageSender } from "./pages.ts";
import { createProgressStore, progressMigrations, type PortalDatabase } from "./progress-store.ts";
import { createSessionStore } from "./session.ts";
import { createSignInRoutes } from "./sign-in-routes.ts";
import { log, pathForLog } from "./log.ts";
import { createStaticFiles } from "./static-files.ts";

/** The portal package folder: this file sits in server/ (source) or server-dist/ (built). */
const portalRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");

export interface PortalServerOptions {
  port: number;
  host: string;
  /** Folder for the SQLite file; defaults to kit's data dir (DATA_DIR or <repo>/data). */
  dataDir?: string;
  /** A postgres:// URL; PostgreSQL is used instead of SQLite when set. */
  databaseUrl?: string;
  /** The built site; defaults to portal/dist. */
  siteDir?: string;
  /** The gateway's GraphQL endpoint, for the action card and alerts; http://127.0.0.1:4000/graphql when omitted. */
  gatewayUrl?: string;
  /** How often an open "Your alerts" page's stream asks the gateway (ALERTS_POLL_MS); 2000 ms when omitted. */
  alertsPollMs?: number;
  /**
   * Where people reach the portal (PORTAL_BASE_URL): the provider sends them back to `<baseUrl>/auth/callback`.
   * http://127.0.0.1:<the port it listens on> when omitted.
   */
  baseUrl?: string;
  /**
   * The OpenID Connect provider everyone signs in with; each setting has config.ts's default. Without a client
   * secret, outside production, the one the development identity provider created under dataDir is read.
   */
  oidc?: Partial<OidcConfig>;
}

export interface PortalServer {
  url: string;
  /** Where progress is kept: "sqlite" or "postgres". */
  store: Dialect;
  close(): Promise<void>;
}

/**
 * Built pages that are about the signed-in officer and nothing else: a signed-out visit goes to sign in and comes
 * back. (The action card's and the alerts' own routes do the same; /alerts is listed too, so the built shell is never
 * served to a signed-out visitor even if those routes change.)
 */
const SIGNED_IN_PAGES = /^\/(progress|supervisor|alerts|modules\/[^/]+\/certificate)\/?$/;

async function readJsonFile(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, "utf8"));
}

export async function loadCourse(courseDir = join(portalRoot, "course")): Promise<Course> {
  const quizDir = join(courseDir, "quizzes");
  const quizFiles = (await readdir(quizDir)).filter((name) => name.endsWith(".json")).sort();
  const quizzes: Record<string, unknown> = {};
  for (const name of quizFiles) quizzes[`course/quizzes/${name}`] = await readJsonFile(join(quizDir, name));
  return parseCourse({ modules: await readJsonFile(join(courseDir, "modules.json")), quizzes });
}

export async function startPortalServer(options: PortalServerOptions): Promise<PortalServer> {
  const course = await loadCourse();
  const dataDir = options.dataDir ?? defaultDataDir();
  const oidc = {
    issuer: options.oidc?.issuer ?? DEFAULT_OIDC_ISSUER,
    internalUrl: options.oidc?.internalUrl ?? null,
    clientId: options.oidc?.clientId ?? DEFAULT_OIDC_CLIENT_ID,
    clientSecret: options.oidc?.clientSecret ?? (await developmentClientSecret(dataDir, isProduction())),
    scope: options.oidc?.scope ?? DEFAULT_OIDC_SCOPE,
    resource: options.oidc?.resource === undefined ? DEFAULT_OIDC_RESOURCE : options.oidc.resource,
    roleClaim: options.oidc?.roleClaim ?? DEFAULT_OIDC_ROLE_CLAIM,
  };
  const store = await openStore<PortalDatabase>({
    name: "portal",
    databaseUrl: options.databaseUrl || undefined,
    sqlitePath: join(dataDir, "portal.sqlite"),
    migrations: progressMigrations,
  });
  const progress = createProgressStore(store.db);
  const siteDir = options.siteDir ?? join(portalRoot, "dist");
  const site = createStaticFiles(siteDir);
  // What needs the portal's own address (the redirect URI, Secure cookies) is made once it listens and knows its port.
  const ready: { routes?: ReturnType<typeof createRoutes> } = {};
  function createRoutes(baseUrl: URL) {
    const sessions = createSessionStore(store.db, { secureCookies: baseUrl.protocol === "https:" });
    return {
      sessions,
      signIn: createSignInRoutes({
        oidc: createOidcClient({ ...oidc, baseUrl }),
        sessions,
        progress,
        baseUrl,
        sendPage: createPageSender(siteDir, "404.html"),
      }),
      api: createApi({ course, glossary: loadGlossary(), progress, sessions, ping: () => store.ping() }),
      actionCards: createActionCardRoutes({ gatewayUrl: options.gatewayUrl ?? DEFAULT_GATEWAY_URL, siteDir, sessions }),
      alerts: createAlertsRoutes({
        gatewayUrl: options.gatewayUrl ?? DEFAULT_GATEWAY_URL,
        siteDir,
        sessions,
        baseUrl,
        pollMs: options.alertsPollMs,
      }),
    };
  }

  // Each request gets an id of its own, on every log line it writes.
  const server = createServer((request, response) =>
    withRequestLog({ requestId: randomUUID() }, () => answer(request, response)),
  );
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://portal.invalid");
    } catch {
      url = new URL("http://portal.invalid/");
    }
    const { pathname } = url;
    try {
      // The same probes every service has: liveness, and readiness (the progress store answers).
      if (pathname === "/health" || pathname === "/ready") {
        const ready =
          pathname === "/health" ||
          (await store.ping().then(
            () => true,
            () => false,
          ));
        response.writeHead(ready ? 200 : 503, { "content-type": "application/json; charset=utf-8" });
        response.end(
          JSON.stringify({
            status: ready ? (pathname === "/health" ? "ok" : "ready") : "not ready",
            service: "portal",
          }),
        );
        return;
      }
      const { routes } = ready;
      if (!routes) {
        response.writeHead(503, { "retry-after": "1" }).end();
        return;
      }
      if (await routes.signIn.handle(request, response, url)) return;
      if (await routes.api(request, response, url)) return;
      if (await routes.actionCards.handle(request, response, url)) return;
      if (await routes.alerts.handle(request, response, url)) return;
      if (SIGNED_IN_PAGES.test(pathname) && !(await routes.sessions.current(request))) {
        response.writeHead(303, {
          location: `/sign-in?return=${encodeURIComponent(`${pathname}${url.search}`)}`,
          "cache-control": "no-store",
        });
        response.end();
        return;
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
        response.end("Only GET and HEAD are allowed for pages.");
        return;
      }
      if (!(await site.serve(request, response, pathname))) await site.notFound(request, response);
    } catch (error) {
      log.error({ path: pathForLog(pathname), error: String(error) }, "failed to answer");
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end("The portal could not answer this request.");
    }
  }
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  ready.routes = createRoutes(new URL(options.baseUrl ?? `http://127.0.0.1:${address.port}`));

  return {
    url: `http://${host}:${address.port}`,
    store: store.dialect,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      await store.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = Date.now();
  const server = await startPortalServer(portalConfigFromEnv());
  // The same "ready" line every service writes: scripts/start.mjs and the test cluster wait for it.
  log.info({ event: "ready", url: server.url, store: server.store, startMs: Date.now() - started }, "ready");
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
