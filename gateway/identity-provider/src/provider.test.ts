import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorize,
  DemoBrowser,
  discover,
  exchangeCode,
  signInAsDemoUser,
  signOut,
  type DiscoveryDocument,
} from "./client.js";
import {
  API_EXPLORER_CLIENT_ID,
  DEV_TOOLS_CLIENT_ID,
  DEV_TOOLS_REDIRECT_URI,
  GATEWAY_RESOURCE,
  PORTAL_CLIENT_ID,
} from "./constants.js";
import { DemoSignInRefused, startIdentityProvider, type RunningIdentityProvider } from "./server.js";
import { portalClientSecret } from "./secrets.js";

let dataDir: string;
let idp: RunningIdentityProvider;
let discovery: DiscoveryDocument;
const PORTAL_CALLBACK = "http://127.0.0.1:4321/auth/callback";

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "sg-idp-"));
  idp = await startIdentityProvider({ port: 0, host: "127.0.0.1", dataDir });
  discovery = await discover(idp.url);
});

afterAll(async () => {
  await idp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

describe("discovery and keys", () => {
  it("publishes an OpenID Connect discovery document for its own issuer, code flow with S256 PKCE only", () => {
    expect(discovery).toMatchObject({
      issuer: idp.url,
      authorization_endpoint: `${idp.url}/auth`,
      token_endpoint: `${idp.url}/token`,
      jwks_uri: `${idp.url}/jwks`,
      userinfo_endpoint: `${idp.url}/me`,
      end_session_endpoint: `${idp.url}/session/end`,
      response_types_supported: ["code"],
      code_challenge_methods_supported: ["S256"],
      id_token_signing_alg_values_supported: ["EdDSA"],
    });
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(["openid", "profile", "email", "safeguarding"]));
    expect(discovery.scopes_supported).not.toContain("offline_access");
    expect(discovery.grant_types_supported).not.toContain("implicit");
  });

  it("serves only the public half of its Ed25519 key, the one kept under the data dir", async () => {
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
    expect(jwks.keys[0].kid).toMatch(/^identity-provider-/);
  });
});

describe("signing in with authorization code + PKCE", () => {
  it("gives the gateway an EdDSA JWT with the claims it reads, audience and issuer included", async () => {
    const { tokens } = await signInAsDemoUser({ issuer: idp.url, user: "social-worker" });
    const jwks = createLocalJWKSet((await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet);
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: idp.url,
      audience: "safeguarding-gateway",
      algorithms: ["EdDSA"],
    });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    expect(payload).toMatchObject({
      sub: "demo:social-worker",
      name: "Leah Marsh",
      sg_role: "SOCIAL_WORKER",
      org: "North Avonvale Council, Children's Services",
      email: "leah.marsh@avonvale.gov.example",
      email_verified: true,
      client_id: DEV_TOOLS_CLIENT_ID,
    });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
    expect(tokens.token_type).toBe("Bearer");
  });

  it("signs the portal's officers in as themselves, role and all, and puts who they are in the ID token", async () => {
    const { tokens } = await signInAsDemoUser({ issuer: idp.url, user: "pc-2290" });
    expect(claimsOf(tokens.access_token)).toMatchObject({ sub: "demo:pc-2290", sg_role: "POLICE_SAFEGUARDING" });
    expect(claimsOf(tokens.id_token!)).toMatchObject({
      iss: idp.url,
      aud: DEV_TOOLS_CLIENT_ID,
      sub: "demo:pc-2290",
      name: "PC Tom Okafor",
      preferred_username: "pc-2290",
      sg_role: "POLICE_SAFEGUARDING",
    });
  });

  it("lets the portal, a confidential client, sign in with its secret and its registered redirect URI", async () => {
    const secret = portalClientSecret(dataDir, {});
    const { tokens } = await signInAsDemoUser({
      issuer: idp.url,
      user: "ps-1102",
      clientId: PORTAL_CLIENT_ID,
      clientSecret: secret,
      redirectUri: PORTAL_CALLBACK,
    });
    expect(claimsOf(tokens.access_token)).toMatchObject({
      client_id: PORTAL_CLIENT_ID,
      sg_role: "TRAINING_SUPERVISOR",
    });
    await expect(
      signInAsDemoUser({
        issuer: idp.url,
        user: "ps-1102",
        clientId: PORTAL_CLIENT_ID,
        clientSecret: "not-the-secret",
        redirectUri: PORTAL_CALLBACK,
      }),
    ).rejects.toMatchObject({ error: "invalid_client" });
  });

  it("answers userinfo with a token asked for without the gateway resource, and refuses the gateway's token there", async () => {
    const forUserinfo = await signInAsDemoUser({ issuer: idp.url, user: "camhs", resource: null });
    const me = await fetch(discovery.userinfo_endpoint!, {
      headers: { authorization: `Bearer ${forUserinfo.tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: "demo:camhs", sg_role: "HEALTH_CAMHS", org: "Avonvale CAMHS" });
    const forGateway = await signInAsDemoUser({ issuer: idp.url, user: "camhs" });
    const refused = await fetch(discovery.userinfo_endpoint!, {
      headers: { authorization: `Bearer ${forGateway.tokens.access_token}` },
    });
    expect(refused.status).toBe(401);
  });

  it("refuses a code request without a code_challenge: PKCE is required of every client", async () => {
    const { redirect } = await authorize(new DemoBrowser(), discovery, {
      user: "edt",
      authorizationParams: { code_challenge: null, code_challenge_method: null },
    });
    expect(redirect.searchParams.get("error")).toBe("invalid_request");
    expect(redirect.searchParams.get("error_description")).toMatch(/PKCE/);
    expect(redirect.searchParams.get("code")).toBeNull();
  });

  it("refuses a code exchanged with the wrong code_verifier", async () => {
    const { redirect } = await authorize(new DemoBrowser(), discovery, { user: "edt" });
    await expect(
      exchangeCode(discovery, { code: redirect.searchParams.get("code")!, codeVerifier: "x".repeat(43) }),
    ).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("refuses a redirect URI the client did not register, without redirecting to it", async () => {
    const browser = new DemoBrowser();
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: DEV_TOOLS_CLIENT_ID,
      response_type: "code",
      redirect_uri: "https://attacker.example/callback",
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      state: "s",
    }).toString();
    const response = await browser.request(url);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toMatch(/redirect_uri did not match/);
  });

  it("refuses a resource other than the gateway", async () => {
    const { redirect } = await authorize(new DemoBrowser(), discovery, {
      user: "edt",
      authorizationParams: { resource: "https://elsewhere.example/api" },
    });
    expect(redirect.searchParams.get("error")).toBe("invalid_target");
  });

  it("labels its sign-in page as development only and refuses a user who is not on the list", async () => {
    const browser = new DemoBrowser();
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: DEV_TOOLS_CLIENT_ID,
      response_type: "code",
      redirect_uri: DEV_TOOLS_REDIRECT_URI,
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    const interaction = new URL((await browser.request(url)).headers.get("location")!, url);
    const page = await browser.request(interaction);
    const html = await page.text();
    expect(html).toContain("Development sign-in: demo users only");
    expect(html).toContain('value="pc-4127"');
    expect(html).not.toMatch(/type="password"/);
    const forged = await browser.request(new URL(`${interaction.pathname}/login`, interaction), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "user=chief-constable",
    });
    expect(forged.status).toBe(400);
  });
});

describe("the gateway's API explorer, a public client in the browser", () => {
  const callback = "http://127.0.0.1:4000/explorer/callback";

  /** A code for the explorer, and its token request as the page script sends it, from an origin. */
  async function tokenRequestFrom(origin: string) {
    const { redirect, codeVerifier } = await authorize(new DemoBrowser(), discovery, {
      user: "social-worker",
      clientId: API_EXPLORER_CLIENT_ID,
      redirectUri: callback,
      authorizationParams: { login_hint: "social-worker", prompt: "login" },
    });
    return fetch(discovery.token_endpoint, {
      method: "POST",
      headers: { origin, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: API_EXPLORER_CLIENT_ID,
        code: redirect.searchParams.get("code")!,
        redirect_uri: callback,
        code_verifier: codeVerifier,
        resource: GATEWAY_RESOURCE,
      }),
    });
  }

  it("signs in at the gateway's callback with no secret and gets the gateway's token, readable by its page", async () => {
    const response = await tokenRequestFrom("http://127.0.0.1:4000");
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:4000");
    const { access_token } = (await response.json()) as { access_token: string };
    expect(claimsOf(access_token)).toMatchObject({ client_id: API_EXPLORER_CLIENT_ID, sg_role: "SOCIAL_WORKER" });
  });

  it("refuses its token request from a page on any other origin", async () => {
    const response = await tokenRequestFrom("http://127.0.0.1:4321");
    expect(response.status).toBe(400);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });
});

describe("signing out", () => {
  /** Asks for a code without any page: it only comes back while the browser's provider session lives. */
  const silent = (browser: DemoBrowser) =>
    authorize(browser, discovery, { user: "auditor", authorizationParams: { prompt: "none" } });

  it("ends the provider session: a silent sign-in works before and is refused after", async () => {
    const signedIn = await signInAsDemoUser({ issuer: idp.url, user: "auditor" });
    const before = await silent(signedIn.browser);
    expect(before.redirect.searchParams.get("code")).toBeTruthy();
    await signedIn.signOut();
    const after = await silent(signedIn.browser);
    expect(after.redirect.searchParams.get("code")).toBeNull();
    expect(after.redirect.searchParams.get("error")).toBe("login_required");
  });

  it("sends the portal back to its registered post-logout address, and only there", async () => {
    const secret = portalClientSecret(dataDir, {});
    const signedIn = await signInAsDemoUser({
      issuer: idp.url,
      user: "pc-4127",
      clientId: PORTAL_CLIENT_ID,
      clientSecret: secret,
      redirectUri: PORTAL_CALLBACK,
    });
    const elsewhere = new URL(discovery.end_session_endpoint!);
    elsewhere.search = new URLSearchParams({
      id_token_hint: signedIn.tokens.id_token!,
      post_logout_redirect_uri: "https://attacker.example/",
    }).toString();
    const refused = await signedIn.browser.request(elsewhere);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/post_logout_redirect_uri not registered/);
    const done = await signOut(signedIn.browser, discovery, {
      idTokenHint: signedIn.tokens.id_token,
      postLogoutRedirectUri: "http://127.0.0.1:4321/",
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("http://127.0.0.1:4321/");
  });
});

describe("production", () => {
  it("refuses to start in-process", async () => {
    await expect(
      startIdentityProvider({ port: 0, host: "127.0.0.1", dataDir, production: true }),
    ).rejects.toBeInstanceOf(DemoSignInRefused);
  });

  it("refuses to start as a service when NODE_ENV=production, saying what to use instead", () => {
    const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
    const run = spawnSync(process.execPath, [main], {
      env: { ...process.env, NODE_ENV: "production", DATA_DIR: dataDir, IDP_PORT: "0" },
      encoding: "utf8",
      timeout: 20_000,
    });
    const output = run.stdout + run.stderr;
    expect(run.status).toBe(1);
    expect(output).not.toMatch(/"event":"ready"/);
    expect(output).toMatch(/"level":"fatal".*does not run when NODE_ENV=production/);
    expect(output).toMatch(/AUTH_ISSUER/);
  });
});
