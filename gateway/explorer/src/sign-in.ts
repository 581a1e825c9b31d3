import type { ExplorerSignIn } from "../../src/explorer/page-config.js";

/**
 * The explorer signs in as an OAuth public client in this tab: authorization code with PKCE (RFC 7636) against the
 * development identity provider, the code exchanged here with no secret. The access token stays in this tab's
 * sessionStorage (gone when the tab closes, never sent anywhere but the gateway) and is never logged.
 */

export interface Session {
  accessToken: string;
  /** From the token's claims, for display only: the gateway verifies the token itself. */
  userId: string;
  name: string;
  role: string;
  expiresAt: number;
}

interface PendingSignIn {
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

const SESSION_KEY = "safeguarding-explorer:session";
const PENDING_KEY = "safeguarding-explorer:pending-sign-in";

export class SignInError extends Error {}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomToken(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  let response: Response;
  try {
    response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  } catch {
    throw new SignInError(`The identity provider at ${issuer} does not answer: is it running (npm start runs it)?`);
  }
  if (!response.ok) throw new SignInError(`The identity provider at ${issuer} answered ${response.status}.`);
  const discovery = (await response.json()) as Discovery;
  if (discovery.issuer !== issuer)
    throw new SignInError(`The identity provider calls itself ${discovery.issuer}, not ${issuer}.`);
  return discovery;
}

/** Sends the browser to the provider's sign-in page, with the demo user to pick as a hint. */
export async function startSignIn(signIn: ExplorerSignIn, userId: string): Promise<void> {
  const discovery = await discover(signIn.issuer);
  const pending: PendingSignIn = {
    state: randomToken(16),
    codeVerifier: randomToken(32),
    redirectUri: `${location.origin}${signIn.callbackPath}`,
  };
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(pending.codeVerifier))),
  );
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: signIn.clientId,
    response_type: "code",
    redirect_uri: pending.redirectUri,
    scope: signIn.scope,
    state: pending.state,
    code_challenge: challenge,
    code_challenge_method: "S256",
    login_hint: userId,
    // Always the sign-in page: a provider session from an earlier sign-in would otherwise answer as that user.
    prompt: "login",
  }).toString();
  location.assign(url);
}

function claimsOf(jwt: string): Record<string, unknown> {
  try {
    const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

/** At the callback: checks the answer belongs to the sign-in this tab started, and exchanges the code for a token. */
export async function completeSignIn(signIn: ExplorerSignIn, callback: URL): Promise<Session> {
  const saved = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = saved ? (JSON.parse(saved) as PendingSignIn) : null;
  const params = callback.searchParams;
  if (!pending || params.get("state") !== pending.state)
    throw new SignInError("This sign-in was not started in this tab, or has already finished: sign in again.");
  // RFC 9207: the answer names the provider it came from; one from any other is refused.
  const iss = params.get("iss");
  if (iss !== null && iss !== signIn.issuer) throw new SignInError(`The sign-in answer came from ${iss}.`);
  const error = params.get("error");
  if (error) throw new SignInError(`Sign-in did not finish: ${params.get("error_description") ?? error}.`);
  const code = params.get("code");
  if (!code) throw new SignInError("The identity provider sent no authorization code: sign in again.");

  const discovery = await discover(signIn.issuer);
  const response = await fetch(discovery.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: signIn.clientId,
      code,
      redirect_uri: pending.redirectUri,
      code_verifier: pending.codeVerifier,
      resource: signIn.resource,
    }),
  });
  const body = (await response.json()) as {
    access_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token)
    throw new SignInError(`The identity provider refused the code: ${body.error_description ?? body.error}.`);
  const claims = claimsOf(body.access_token);
  const session: Session = {
    accessToken: body.access_token,
    userId: String(claims.preferred_username ?? claims.sub ?? "unknown"),
    name: String(claims.name ?? claims.sub ?? "unknown"),
    role: String(claims.sg_role ?? "no role"),
    expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** The signed-in session of this tab, if it has one that has not expired. */
export function currentSession(): Session | null {
  const saved = sessionStorage.getItem(SESSION_KEY);
  if (!saved) return null;
  const session = JSON.parse(saved) as Session;
  if (session.expiresAt <= Date.now()) {
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }
  return session;
}

/** Forgets the token. The provider's session stays, but every sign-in asks for a user again (prompt=login). */
export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}
