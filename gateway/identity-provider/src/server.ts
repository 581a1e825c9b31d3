import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";
import { DEMO_USERS, findDemoUser } from "@safeguarding/shared/demo-users";
import { loadOrCreateKeyPair } from "@safeguarding/shared/keys";
import { serviceLog } from "@safeguarding/shared/log";
import { apiExplorerRedirectUris } from "./constants.js";
import { createProvider, FIRST_PARTY_CLIENTS } from "./provider.js";
import { loadOrCreateSecrets } from "./secrets.js";
import { errorPage, loginPage } from "./views.js";

export interface IdentityProviderOptions {
  port: number;
  host: string;
  /** Where the signing key and secrets live (`<dataDir>/keys`), created on first start. */
  dataDir: string;
  /** The issuer URL; `http://<host>:<port it listens on>` when omitted. */
  issuer?: string;
  /** The gateway's audience (AUTH_AUDIENCE), put in `aud` of the gateway's access tokens. */
  gatewayAudience?: string;
  accessTokenTtlSeconds?: number;
  sessionTtlSeconds?: number;
  portal?: { clientSecret?: string; redirectUris?: string[]; postLogoutRedirectUris?: string[] };
  /** The gateway's API explorer: where it may send the browser back to (its origins may also call /token). */
  explorer?: { redirectUris?: string[] };
  /** True when NODE_ENV=production: start-up is refused (see below). */
  production?: boolean;
}

export interface RunningIdentityProvider {
  /** The issuer URL, which is also where it answers. */
  url: string;
  provider: Provider;
  close(): Promise<void>;
}

export class DemoSignInRefused extends Error {}

/**
 * The provider lets anyone sign in as any demo user without a password. That is the point on a laptop and a hole
 * anywhere else, so it refuses to start in production: a deployment points the gateway (AUTH_ISSUER) and the
 * portal at Entra ID or the force's or council's own OpenID Connect provider instead (README, "Using Entra ID").
 */
export function refuseInProduction(production: boolean): void {
  if (production)
    throw new DemoSignInRefused(
      "The development identity provider signs anyone in as a demo user without a password, so it does not run when NODE_ENV=production. Point AUTH_ISSUER (gateway) and the portal at your organisation's OpenID Connect provider (see README, Using Entra ID).",
    );
}

const MAX_FORM_BYTES = 4096;

function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) {
        reject(new Error("form too large"));
        request.destroy();
      }
    });
    request.on("end", () => resolve(new URLSearchParams(body)));
    request.on("error", reject);
  });
}

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS });
  response.end(html);
}

/**
 * The sign-in pages oidc-provider hands over to (`/interaction/<uid>`): the demo-user picker for the login prompt,
 * and the consent prompt granted at once for our own clients.
 */
async function handleInteraction(provider: Provider, request: IncomingMessage, response: ServerResponse) {
  const path = new URL(request.url ?? "/", "http://idp.invalid").pathname;
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
  if (!match) return sendHtml(response, 404, errorPage({ error: "not_found", error_description: "No such page." }));
  let details;
  try {
    details = await provider.interactionDetails(request, response);
  } catch {
    // Expired, already finished, or opened in another browser than the one that started signing in.
    return sendHtml(
      response,
      400,
      errorPage({ error: "invalid_request", error_description: "This sign-in has expired or was already used." }),
    );
  }
  if (details.uid !== match[1])
    return sendHtml(
      response,
      400,
      errorPage({ error: "invalid_request", error_description: "Start signing in again." }),
    );
  const clientId = String(details.params.client_id);
  const client = await provider.Client.find(clientId);

  if (details.prompt.name === "login") {
    if (request.method === "GET" && !match[2]) {
      return sendHtml(
        response,
        200,
        loginPage({
          action: `/interaction/${details.uid}/login`,
          clientName: client?.clientName ?? clientId,
          users: DEMO_USERS,
        }),
      );
    }
    if (request.method === "POST" && match[2]) {
      const form = await readForm(request);
      if (form.get("cancel"))
        return provider.interactionFinished(
          request,
          response,
          { error: "access_denied", error_description: "The user cancelled sign-in." },
          { mergeWithLastSubmission: false },
        );
      const user = findDemoUser(form.get("user") ?? "");
      if (!user)
        return sendHtml(
          response,
          400,
          errorPage({ error: "invalid_request", error_description: "Choose one of the demo users listed." }),
        );
      return provider.interactionFinished(
        request,
        response,
        { login: { accountId: `demo:${user.id}`, amr: ["demo"] } },
        { mergeWithLastSubmission: false },
      );
    }
  }

  if (details.prompt.name === "consent" && request.method === "GET" && !match[2]) {
    if (!FIRST_PARTY_CLIENTS.has(clientId))
      return provider.interactionFinished(
        request,
        response,
        {
          error: "access_denied",
          error_description: "Only the Safeguarding Gateway's own applications may sign in here.",
        },
        { mergeWithLastSubmission: true },
      );
    const accountId = details.session!.accountId;
    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(resource, scopes.join(" "));
    const grantId = await grant.save();
    return provider.interactionFinished(request, response, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return sendHtml(
    response,
    400,
    errorPage({ error: "invalid_request", error_description: "Start signing in again from the application." }),
  );
}

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<RunningIdentityProvider> {
  refuseInProduction(options.production ?? false);
  const signing = await loadOrCreateKeyPair(options.dataDir, "identity-provider");
  const secrets = loadOrCreateSecrets(options.dataDir);
  // The issuer names the port, so the provider is made once the server listens; until then requests wait outside.
  const ready: { provider?: Provider; callback?: (req: IncomingMessage, res: ServerResponse) => void } = {};

  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/health" || path === "/ready") {
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify({ status: "ok", service: "identity-provider" }));
      return;
    }
    const { provider, callback } = ready;
    if (!provider || !callback) {
      response.writeHead(503).end();
      return;
    }
    if (path.startsWith("/interaction/")) {
      handleInteraction(provider, request, response).catch((error: unknown) => {
        serviceLog("identity-provider").error({ path }, `Sign-in page failed: ${(error as Error).message}`);
        if (!response.headersSent)
          sendHtml(response, 500, errorPage({ error: "server_error", error_description: "Sign-in failed." }));
      });
      return;
    }
    callback(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = options.issuer ?? `http://${options.host}:${port}`;
  // The portal as `npm start` runs it; identityProviderOptionsFromEnv follows PORTAL_PORT.
  const portalOrigin = "http://127.0.0.1:4321";
  const provider = createProvider({
    issuer,
    signingKey: signing.privateJwk,
    cookieKeys: secrets.cookieKeys,
    gatewayAudience: options.gatewayAudience ?? "safeguarding-gateway",
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    sessionTtlSeconds: options.sessionTtlSeconds ?? 8 * 3600,
    portal: {
      clientSecret: options.portal?.clientSecret ?? secrets.portalClientSecret,
      redirectUris: options.portal?.redirectUris ?? [`${portalOrigin}/auth/callback`],
      postLogoutRedirectUris: options.portal?.postLogoutRedirectUris ?? [`${portalOrigin}/`],
    },
    explorer: { redirectUris: options.explorer?.redirectUris ?? apiExplorerRedirectUris(4000) },
  });
  ready.provider = provider;
  ready.callback = provider.callback();
  return {
    url: issuer,
    provider,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
