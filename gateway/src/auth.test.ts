import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_ROLE_CLAIM,
  DEV_AUDIENCE,
  DEV_ISSUER,
  findDemoUser,
  loadDevIdentityProvider,
} from "@safeguarding/shared/dev-idp";
import { loadOrCreateKeyPair } from "@safeguarding/shared/keys";
import {
  authConfigFromEnv,
  AuthenticationFailed,
  createAuthenticator,
  discoverJwksUri,
  type Authenticator,
} from "./auth.js";

describe("bearer tokens verified once, their times checked on every use", () => {
  let dir: string;
  let idp: Awaited<ReturnType<typeof loadDevIdentityProvider>>;
  let authenticator: Authenticator;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-auth-"));
    idp = await loadDevIdentityProvider(dir);
    authenticator = createAuthenticator({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      roleClaim: DEFAULT_ROLE_CLAIM,
      organisationClaim: "org",
      jwks: { keys: idp.jwks },
      clockToleranceSeconds: 0,
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts a token again from what it verified, and refuses it once it has expired", async () => {
    const token = await idp.issue(findDemoUser("control-room")!, { ttlSeconds: 2 });
    const first = await authenticator.authenticate(`Bearer ${token}`);
    expect(first).toMatchObject({ role: "CONTROL_ROOM", userId: "demo:control-room" });
    expect(await authenticator.authenticate(`Bearer ${token}`)).toEqual(first);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toThrow(/expired/);
  });

  it("never lets a token that differs by one character ride on one that verified", async () => {
    const token = await idp.issue(findDemoUser("edt")!);
    await authenticator.authenticate(`Bearer ${token}`);
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, [DEFAULT_ROLE_CLAIM]: "AUDITOR" })).toString("base64url")}.${signature}`;
    await expect(authenticator.authenticate(`Bearer ${forged}`)).rejects.toBeInstanceOf(AuthenticationFailed);
    // The second-to-last character changed for certain (it was flipped by the last one before, and equal ~1 in 64).
    const flipped = `${token.slice(0, -2)}${token.at(-2) === "A" ? "B" : "A"}${token.slice(-1)}`;
    await expect(authenticator.authenticate(`Bearer ${flipped}`)).rejects.toBeInstanceOf(AuthenticationFailed);
  });
});

describe("the issuer's discovery document (AUTH_ISSUER alone)", () => {
  let server: Server;
  let base: string;
  /** What the fake provider's discovery document says; each test sets it. */
  let document: Record<string, unknown> = {};
  let dir: string;
  let idp: Awaited<ReturnType<typeof loadDevIdentityProvider>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-discovery-"));
    idp = await loadDevIdentityProvider(dir);
    server = createServer((request, response) => {
      if (request.url === "/tenant/.well-known/openid-configuration") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(document));
      } else if (request.url === "/tenant/keys") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(idp.jwks));
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes jwks_uri from the document and verifies the issuer's tokens with its keys", async () => {
    const issuer = `${base}/tenant`;
    document = { issuer, jwks_uri: `${base}/tenant/keys` };
    const config = await authConfigFromEnv(dir, false, { AUTH_ISSUER: issuer });
    expect(config).toMatchObject({ issuer, audience: "safeguarding-gateway", jwks: { url: `${base}/tenant/keys` } });
    const token = await new SignJWT({ sg_role: "EDT" })
      .setProtectedHeader({ alg: "EdDSA", kid: idp.jwks.keys[0].kid })
      .setIssuer(issuer)
      .setAudience("safeguarding-gateway")
      .setSubject("demo:edt")
      .setExpirationTime("5m")
      .sign(await importJWK((await loadOrCreateKeyPair(dir, "dev-identity-provider")).privateJwk, "EdDSA"));
    expect(await createAuthenticator(config).authenticate(`Bearer ${token}`)).toMatchObject({ role: "EDT" });
  });

  it("refuses a document that names another issuer", async () => {
    document = { issuer: "https://login.example.com/other", jwks_uri: `${base}/tenant/keys` };
    await expect(authConfigFromEnv(dir, false, { AUTH_ISSUER: `${base}/tenant` })).rejects.toThrow(
      /names the issuer "https:\/\/login.example.com\/other", not AUTH_ISSUER/,
    );
  });

  it("refuses a plain-http jwks_uri in production, and needs AUTH_AUDIENCE there", async () => {
    document = { issuer: `${base}/tenant`, jwks_uri: `${base}/tenant/keys` };
    await expect(
      authConfigFromEnv(dir, true, { AUTH_ISSUER: `${base}/tenant`, AUTH_AUDIENCE: "api://gateway" }),
    ).rejects.toThrow(/jwks_uri must use https:\/\/ when NODE_ENV=production/);
    await expect(authConfigFromEnv(dir, true, { AUTH_ISSUER: `${base}/tenant` })).rejects.toThrow(
      /AUTH_AUDIENCE must be set/,
    );
  });

  it("says which address it could not read", async () => {
    await expect(discoverJwksUri(`${base}/nobody`, false, { attempts: 1 })).rejects.toThrow(
      /Cannot read the identity provider's discovery document .*\/nobody\/.well-known\/openid-configuration: it answered 404/,
    );
  });

  it("trusts the development signer beside the issuer only when told to, and never in production", async () => {
    document = { issuer: `${base}/tenant`, jwks_uri: `${base}/tenant/keys` };
    const env = { AUTH_ISSUER: `${base}/tenant` };
    const devToken = `Bearer ${await idp.issue(findDemoUser("edt")!)}`;
    const plain = createAuthenticator(await authConfigFromEnv(dir, false, env));
    await expect(plain.authenticate(devToken)).rejects.toThrow(/not issued for this gateway/);
    const both = createAuthenticator(await authConfigFromEnv(dir, false, { ...env, AUTH_TRUST_DEV_SIGNER: "true" }));
    expect(await both.authenticate(devToken)).toMatchObject({ userId: "demo:edt", role: "EDT" });
    await expect(
      authConfigFromEnv(dir, true, { ...env, AUTH_AUDIENCE: "x", AUTH_TRUST_DEV_SIGNER: "true" }),
    ).rejects.toThrow(/AUTH_TRUST_DEV_SIGNER is for development only/);
  });

  it("checks a token claiming the development signer's issuer against that signer's key, not the provider's", async () => {
    const other = mkdtempSync(join(tmpdir(), "sg-discovery-other-"));
    try {
      document = { issuer: `${base}/tenant`, jwks_uri: `${base}/tenant/keys` };
      const both = createAuthenticator(
        await authConfigFromEnv(other, false, { AUTH_ISSUER: `${base}/tenant`, AUTH_TRUST_DEV_SIGNER: "true" }),
      );
      // Signed by the provider's key (served at jwks_uri) but naming the development signer as issuer.
      const forged = await idp.issue(findDemoUser("auditor")!);
      await expect(both.authenticate(`Bearer ${forged}`)).rejects.toThrow(/signature could not be verified/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe("the role claim as an array (Entra ID's app roles in `roles`)", () => {
  let dir: string;
  let authenticator: Authenticator;
  let sign: (claims: Record<string, unknown>) => Promise<string>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-roles-"));
    const pair = await loadOrCreateKeyPair(dir, "entra-like");
    const key = await importJWK(pair.privateJwk, "EdDSA");
    authenticator = createAuthenticator({
      issuer: "https://login.example.com/tenant/v2.0",
      audience: "00001111-aaaa-2222-bbbb-3333cccc4444",
      roleClaim: "roles",
      organisationClaim: "extn.organisation",
      jwks: { keys: { keys: [pair.publicJwk] } },
      clockToleranceSeconds: 0,
    });
    sign = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "EdDSA", kid: pair.privateJwk.kid })
        .setIssuer("https://login.example.com/tenant/v2.0")
        .setAudience("00001111-aaaa-2222-bbbb-3333cccc4444")
        .setSubject("pairwise-subject")
        .setExpirationTime("5m")
        .sign(key);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("takes the one recognised role from the array, ignoring values that are not ours", async () => {
    const token = await sign({ roles: ["Directory.Reader", "SOCIAL_WORKER"], "extn.organisation": "Avonvale" });
    expect(await authenticator.authenticate(`Bearer ${token}`)).toMatchObject({
      role: "SOCIAL_WORKER",
      organisation: "Avonvale",
      email: null,
    });
  });

  it("refuses two of our roles at once, and none", async () => {
    const two = await sign({ roles: ["AUDITOR", "SOCIAL_WORKER"] });
    await expect(authenticator.authenticate(`Bearer ${two}`)).rejects.toThrow(/more than one role/);
    const none = await sign({ roles: ["Directory.Reader"] });
    await expect(authenticator.authenticate(`Bearer ${none}`)).rejects.toThrow(/no recognised role/);
  });
});
