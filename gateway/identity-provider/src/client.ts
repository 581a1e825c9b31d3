import { createHash, randomBytes } from "node:crypto";
import { DEV_TOOLS_CLIENT_ID, DEV_TOOLS_REDIRECT_URI, GATEWAY_RESOURCE, SIGN_IN_SCOPE } from "./constants.js";

/**
 * Signs a demo user in to the development identity provider without a browser, through the same authorization
 * code + PKCE flow a browser takes: the authorization request, the demo-user picker's form, the consent step, the
 * redirect with the code, the token request. Tests, the bench and `npm run token` get their tokens this way, so
 * every one of them exercises the real flow. It only works against the development provider (the demo-user form
 * is its own), never a real one.
 */

export interface DiscoveryDocument {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  [key: string]: unknown;
}

export interface DemoSignInOptions {
  /** The provider's issuer URL, e.g. http://127.0.0.1:4400. */
  issuer: string;
  /** A demo user id (`npm run token -- --list`). */
  user: string;
  clientId?: string;
  /** For a confidential client (sent with client_secret_basic). */
  clientSecret?: string;
  redirectUri?: string;
  scope?: string;
  /** The resource the access token is for: the gateway unless told otherwise; null for a userinfo token. */
  resource?: string | null;
  /** Extra authorization request parameters (tests send bad ones on purpose). */
  authorizationParams?: Record<string, string | null>;
}

export interface TokenResponse {
  access_token: string;
  id_token?: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export class SignInFailed extends Error {
  constructor(
    message: string,
    /** The OAuth error code the provider answered with, when it answered with one. */
    readonly error?: string,
  ) {
    super(message);
  }
}

/** Just enough of a cookie jar for one provider: cookies by name and path, sent where their path matches. */
export class CookieJar {
  private cookies = new Map<string, { name: string; value: string; path: string }>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(";").map((part) => part.trim());
      const equals = pair.indexOf("=");
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      let path = "/";
      let expired = value === "";
      for (const attribute of attributes) {
        const [key, attributeValue = ""] = attribute.split("=");
        if (key.toLowerCase() === "path") path = attributeValue || "/";
        if (key.toLowerCase() === "max-age" && Number(attributeValue) <= 0) expired = true;
        if (key.toLowerCase() === "expires" && Date.parse(attributeValue) <= Date.now()) expired = true;
      }
      const key = `${name} ${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }
}

const base64url = (buffer: Buffer) => buffer.toString("base64url");

export async function discover(issuer: string): Promise<DiscoveryDocument> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const response = await fetch(url);
  if (!response.ok) throw new SignInFailed(`${url} answered ${response.status}.`);
  return (await response.json()) as DiscoveryDocument;
}

/** One browser: a cookie jar and requests that do not follow redirects, so each hop can be looked at. */
export class DemoBrowser {
  readonly jar = new CookieJar();

  async request(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(url);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.jar.store(response);
    return response;
  }
}

export interface AuthorizationResult {
  /** Where the provider finally sent the browser: the client's redirect URI with code or error. */
  redirect: URL;
  /** The code verifier the request's challenge was made from. */
  codeVerifier: string;
  state: string;
}

/**
 * Follows an authorization request through the provider's pages until it redirects to the client, choosing the
 * demo user on the sign-in page when asked. The browser's cookies keep the provider's session for later requests.
 */
export async function authorize(
  browser: DemoBrowser,
  discovery: DiscoveryDocument,
  options: Omit<DemoSignInOptions, "issuer">,
): Promise<AuthorizationResult> {
  const redirectUri = options.redirectUri ?? DEV_TOOLS_REDIRECT_URI;
  const codeVerifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const params: Record<string, string | null> = {
    client_id: options.clientId ?? DEV_TOOLS_CLIENT_ID,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: options.scope ?? SIGN_IN_SCOPE,
    state,
    nonce: base64url(randomBytes(16)),
    code_challenge: base64url(createHash("sha256").update(codeVerifier).digest()),
    code_challenge_method: "S256",
    ...options.authorizationParams,
  };
  let url = new URL(discovery.authorization_endpoint);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);

  let init: RequestInit = {};
  for (let hop = 0; hop < 12; hop += 1) {
    const response = await browser.request(url, init);
    init = {};
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (`${next.origin}${next.pathname}` === redirectUri) return { redirect: next, codeVerifier, state };
      url = next;
      continue;
    }
    const body = await response.text();
    if (response.status === 200 && /^\/interaction\/[\w-]+$/.test(url.pathname)) {
      // The demo-user picker: post the chosen user, as its form does.
      init = {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ user: options.user }).toString(),
      };
      url = new URL(`${url.pathname}/login`, url);
      continue;
    }
    const description = /<p>([^<]*)<\/p>/.exec(body)?.[1] ?? `status ${response.status}`;
    throw new SignInFailed(`Sign-in stopped at ${url.pathname}: ${description}`);
  }
  throw new SignInFailed("Sign-in went round in circles (more than 12 redirects).");
}

/** Exchanges an authorization code for tokens at the token endpoint. */
export async function exchangeCode(
  discovery: DiscoveryDocument,
  options: {
    code: string;
    codeVerifier: string;
    redirectUri?: string;
    clientId?: string;
    clientSecret?: string;
    resource?: string | null;
  },
): Promise<TokenResponse> {
  const clientId = options.clientId ?? DEV_TOOLS_CLIENT_ID;
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: options.code,
    redirect_uri: options.redirectUri ?? DEV_TOOLS_REDIRECT_URI,
    code_verifier: options.codeVerifier,
  });
  const resource = options.resource === undefined ? GATEWAY_RESOURCE : options.resource;
  if (resource) body.set("resource", resource);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (options.clientSecret) {
    const basic = `${encodeURIComponent(clientId)}:${encodeURIComponent(options.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString("base64")}`;
  } else body.set("client_id", clientId);
  const response = await fetch(discovery.token_endpoint, { method: "POST", headers, body });
  const json = (await response.json()) as TokenResponse & { error?: string; error_description?: string };
  if (!response.ok)
    throw new SignInFailed(`The token endpoint refused: ${json.error_description ?? json.error}`, json.error);
  return json;
}

export interface DemoSignIn {
  tokens: TokenResponse;
  /** The browser that signed in: its cookies hold the provider session. */
  browser: DemoBrowser;
  discovery: DiscoveryDocument;
  /** Ends the provider session the way a user's "Sign out" does (RP-initiated logout, confirmed). */
  signOut(): Promise<void>;
}

export async function signInAsDemoUser(options: DemoSignInOptions): Promise<DemoSignIn> {
  const discovery = await discover(options.issuer);
  const browser = new DemoBrowser();
  const { redirect, codeVerifier, state } = await authorize(browser, discovery, options);
  if (redirect.searchParams.get("state") !== state) throw new SignInFailed("The provider returned another state.");
  const error = redirect.searchParams.get("error");
  if (error)
    throw new SignInFailed(`The provider refused: ${redirect.searchParams.get("error_description") ?? error}`, error);
  const tokens = await exchangeCode(discovery, {
    code: redirect.searchParams.get("code")!,
    codeVerifier,
    redirectUri: options.redirectUri,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    resource: options.resource,
  });
  return {
    tokens,
    browser,
    discovery,
    signOut: async () => {
      await signOut(browser, discovery, { idTokenHint: tokens.id_token });
    },
  };
}

/** RP-initiated logout: the end-session page, then its confirmation form, as the user's "Sign out" press posts it. */
export async function signOut(
  browser: DemoBrowser,
  discovery: DiscoveryDocument,
  options: { idTokenHint?: string; postLogoutRedirectUri?: string } = {},
): Promise<Response> {
  if (!discovery.end_session_endpoint) throw new SignInFailed("The provider has no end_session_endpoint.");
  const url = new URL(discovery.end_session_endpoint);
  if (options.idTokenHint) url.searchParams.set("id_token_hint", options.idTokenHint);
  if (options.postLogoutRedirectUri) url.searchParams.set("post_logout_redirect_uri", options.postLogoutRedirectUri);
  const page = await browser.request(url);
  const html = await page.text();
  const action =
    /<form[^>]*id="op\.logoutForm"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="op\.logoutForm"/.exec(html);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  const target = action?.[1] ?? action?.[2];
  if (!target || !xsrf) throw new SignInFailed(`The sign-out page had no confirmation form (status ${page.status}).`);
  return browser.request(new URL(target.replace(/&amp;/g, "&"), url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ xsrf, logout: "yes" }).toString(),
  });
}

/** An access token for the gateway, for a demo user: what tests, the bench and `npm run token` need. */
export async function demoAccessToken(issuer: string, user: string): Promise<string> {
  return (await signInAsDemoUser({ issuer, user })).tokens.access_token;
}
