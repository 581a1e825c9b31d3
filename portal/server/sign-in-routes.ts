import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeHtml } from "./html.ts";
import { log } from "./log.ts";
import { SignInFailed, type OidcClient } from "./oidc.ts";
import { paragraphs, problemPage, type PageSender } from "./pages.ts";
import { postedFromElsewhere } from "./same-origin.ts";
import type { ProgressStore } from "./progress-store.ts";
import { accessTokenUsable, CALLBACK_PATH, type SessionStore } from "./session.ts";

/**
 * Signing in and out through the identity provider:
 *
 * - `GET /sign-in?return=<path>` sends the browser to the provider's authorization endpoint, with state, nonce and a
 *   PKCE challenge kept server-side against a short-lived cookie (`prompt=login` asks for a user even when the
 *   provider already has one signed in).
 * - `GET /auth/callback` checks the provider's answer, exchanges the code for the ID token and the gateway's access
 *   token, starts the session and goes back to `return`.
 * - `POST /sign-out` ends the session and sends the browser to the provider's end-session endpoint, which signs the
 *   user out there too and comes back to the home page.
 */

export interface SignInRoutesOptions {
  oidc: OidcClient;
  sessions: SessionStore;
  progress: Pick<ProgressStore, "recordSignIn">;
  /** Where people reach the portal: the callback's full address and the origin a sign-out may come from. */
  baseUrl: URL;
  sendPage: PageSender;
}

/** Paths that would send the browser round the sign-in again, never a place to come back to. */
const NOT_A_DESTINATION = /^\/(sign-in|sign-out|auth)(\/|$)/;

/**
 * Where to come back to: a path on this portal only (never another site, "//host" or "/\host"), or the home page.
 * Parsing it against the portal's own address and comparing origins leaves no way round.
 */
export function safeReturnPath(raw: string | null, baseUrl: URL): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\")) return "/";
  let url: URL;
  try {
    url = new URL(raw, baseUrl);
  } catch {
    return "/";
  }
  if (url.origin !== baseUrl.origin || NOT_A_DESTINATION.test(url.pathname)) return "/";
  return `${url.pathname}${url.search}`;
}

const SERVICE_DESK =
  "If it keeps happening, tell your service desk the time it happened. The glossary and lessons work without signing in.";

export function createSignInRoutes(options: SignInRoutesOptions) {
  const { oidc, sessions, baseUrl, sendPage } = options;

  function redirect(response: ServerResponse, location: string, cookies: string[] = []) {
    response.writeHead(303, {
      location,
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      ...(cookies.length ? { "set-cookie": cookies } : {}),
    });
    response.end();
  }

  const signInLink = (returnTo: string, text = "Sign in again") =>
    `<a class="govuk-link" href="${escapeHtml(`/sign-in?return=${encodeURIComponent(returnTo)}`)}">${escapeHtml(text)}</a>`;

  async function startSignIn(request: IncomingMessage, response: ServerResponse, url: URL) {
    const returnTo = safeReturnPath(url.searchParams.get("return"), baseUrl);
    const prompt = url.searchParams.get("prompt") === "login" ? "login" : undefined;
    // Already signed in with a token the gateway still accepts: nothing to do but go back.
    if (!prompt) {
      const session = await sessions.current(request);
      if (session && accessTokenUsable(session)) return redirect(response, returnTo);
    }
    const pending = oidc.newSignIn(returnTo);
    let authorization: URL;
    try {
      authorization = await oidc.authorizationUrl(pending, prompt);
    } catch (error) {
      log.error({ error: (error as Error).message }, "cannot start signing in");
      return sendPage(
        request,
        response,
        503,
        "Signing in is not available",
        problemPage("Signing in is not available", [
          "The sign-in service is not answering, so you cannot sign in now. Try again in a minute.",
          SERVICE_DESK,
        ]),
      );
    }
    redirect(response, authorization.href, [await sessions.beginSignIn(pending)]);
  }

  async function finishSignIn(request: IncomingMessage, response: ServerResponse, url: URL) {
    const state = url.searchParams.get("state");
    const pending = await sessions.takeSignIn(request, state);
    if (!pending) {
      // A reload of the callback after signing in, or its address opened again: nothing left to check it against.
      if (await sessions.current(request)) return redirect(response, "/");
      return sendPage(
        request,
        response,
        400,
        "Sign-in expired",
        `<h1 class="govuk-heading-l">This sign-in has expired</h1>${paragraphs([
          "Signing in has to be finished within 10 minutes, in the browser it was started in, and each sign-in can be used once.",
          `${signInLink("/")} to carry on.`,
        ])}`,
      );
    }
    const clear = sessions.clearSignInCookie(pending.state);
    // The full address the provider sent the browser to: the token request names it as the redirect URI.
    const callback = new URL(`${url.pathname}${url.search}`, baseUrl);
    try {
      const session = await oidc.finishSignIn(callback, pending);
      await options.progress.recordSignIn(session.user);
      const cookie = await sessions.create(session, request);
      log.info({ event: "signed-in", subject: session.user.subject }, "signed in");
      return redirect(response, pending.returnTo, [cookie, clear]);
    } catch (error) {
      if (!(error instanceof SignInFailed)) throw error;
      if (error.error === "access_denied") {
        return sendPage(
          request,
          response,
          401,
          "You have not signed in",
          `<h1 class="govuk-heading-l">You have not signed in</h1>${paragraphs([
            "Signing in was cancelled, so your quiz results cannot be recorded and the action card cannot be opened.",
            `${signInLink(pending.returnTo, "Sign in")} when you are ready, or <a class="govuk-link" href="/">go to the home page</a>.`,
          ])}`,
          { headers: { "set-cookie": clear } },
        );
      }
      log.error({ error: error.message }, "signing in failed");
      return sendPage(
        request,
        response,
        502,
        "Signing in failed",
        `<h1 class="govuk-heading-l">Signing in could not be finished</h1>${paragraphs([
          "The sign-in service's answer could not be checked, so you are not signed in.",
          `${signInLink(pending.returnTo)}. ${escapeHtml(SERVICE_DESK)}`,
        ])}`,
        { headers: { "set-cookie": clear } },
      );
    }
  }

  async function signOut(request: IncomingMessage, response: ServerResponse) {
    if (postedFromElsewhere(request, baseUrl.origin)) {
      response.writeHead(403, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      response.end("Sign out from the portal's own pages.");
      return;
    }
    const session = await sessions.end(request);
    let location = "/";
    if (session) {
      try {
        location = (await oidc.endSessionUrl(session.idToken)).href;
      } catch (error) {
        // The portal's session is over either way; the provider's lasts until it ends or the user signs out there.
        log.warn({ error: (error as Error).message }, "signed out of the portal only: the provider did not answer");
      }
    }
    redirect(response, location, [sessions.clearCookie()]);
  }

  return {
    /** Answers /sign-in, /auth/callback and /sign-out; returns false for any other path. */
    async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
      const { pathname } = url;
      const method = request.method ?? "GET";
      if (pathname === "/sign-in" || pathname === "/sign-in/") {
        if (method !== "GET" && method !== "HEAD") return methodNotAllowed(response, "GET");
        await startSignIn(request, response, url);
        return true;
      }
      if (pathname === CALLBACK_PATH) {
        if (method !== "GET") return methodNotAllowed(response, "GET");
        await finishSignIn(request, response, url);
        return true;
      }
      if (pathname === "/sign-out" || pathname === "/sign-out/") {
        if (method === "POST") await signOut(request, response);
        else if (method === "GET" || method === "HEAD")
          // A page to sign out from where there is no script to show the header's button.
          await sendPage(
            request,
            response,
            200,
            "Sign out",
            `<h1 class="govuk-heading-l">Sign out</h1><p class="govuk-body">This signs you out of the portal and of the sign-in service.</p><form method="post" action="/sign-out" novalidate><button type="submit" class="govuk-button" data-module="govuk-button">Sign out</button></form>`,
          );
        else return methodNotAllowed(response, "GET, POST");
        return true;
      }
      return false;
    },
  };
}

function methodNotAllowed(response: ServerResponse, allow: string): true {
  response.writeHead(405, { allow, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  response.end(`Use ${allow} here.`);
  return true;
}
