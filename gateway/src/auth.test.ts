import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importJWK, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_ROLE_CLAIM,
  demoSubject,
  demoUserClaims,
  findDemoUser,
  GATEWAY_AUDIENCE,
  type DemoUser,
} from "@safeguarding/shared/demo-users";
import { loadOrCreateKeyPair } from "@safeguarding/shared/keys";
import {
  authConfigFromEnv,
  AuthenticationFailed,
  createAuthenticator,
  discoverJwksUri,
  type Authenticator,
} from "./auth.js";

const ISSUER = "https://idp.example/avonvale";

/** A signer standing in for an identity provider: a demo user's access token, with the key kept under `dir`. */
async function testIssuer(dir: string, issuer = ISSUER) {
  const pair = await loadOrCreateKeyPair(dir, "test-issuer");
  const key = await importJWK(pair.privateJwk, "EdDSA");
  return {
    jwks: { keys: [pair.publicJwk] as JWK[] },
    issue: (user: DemoUser, options: { ttlSeconds?: number; iss?: string } = {}) =>
      new SignJWT(demoUserClaims(user))
        .setProtectedHeader({ alg: "EdDSA", kid: pair.privateJwk.kid, typ: "at+jwt" })
        .setIssuer(options.iss ?? issuer)
        .setAudience(GATEWAY_AUDIENCE)
        .setSubject(demoSubject(user))
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds ?? 600}s`)
        .sign(key),
  };
}

describe("bearer tokens verified once, their times checked on every use", () => {
  let dir: string;
  let idp: Awaited<ReturnType<typeof testIssuer>>;
  let authenticator: Authenticator;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-auth-"));
    idp = await testIssuer(dir);
    authenticator = createAuthenticator({
      issuer: ISSUER,
      audience: GATEWAY_AUDIENCE,
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
  let idp: Awaited<ReturnType<typeof testIssuer>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sg-discovery-"));
    idp = await testIssuer(dir);
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
      .sign(await importJWK((await loadOrCreateKeyPair(dir, "test-issuer")).privateJwk, "EdDSA"));
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

  it("refuses tokens of the old in-process development signer, even signed with the issuer's own key", async () => {
    document = { issuer: `${base}/tenant`, jwks_uri: `${base}/tenant/keys` };
    // AUTH_TRUST_DEV_SIGNER used to add that signer's issuer; it is gone, and setting it changes nothing.
    const authenticator = createAuthenticator(
      await authConfigFromEnv(dir, false, { AUTH_ISSUER: `${base}/tenant`, AUTH_TRUST_DEV_SIGNER: "true" }),
    );
    const oldSigner = await testIssuer(join(dir, "old-signer"), "urn:safeguarding:dev-identity-provider");
    await expect(authenticator.authenticate(`Bearer ${await oldSigner.issue(findDemoUser("edt")!)}`)).rejects.toThrow(
      /signature could not be verified|not issued for this gateway/,
    );
    const oldIssuerRightKey = await idp.issue(findDemoUser("auditor")!, {
      iss: "urn:safeguarding:dev-identity-provider",
    });
    await expect(authenticator.authenticate(`Bearer ${oldIssuerRightKey}`)).rejects.toThrow(
      /not issued for this gateway/,
    );
    expect(
      await authenticator.authenticate(
        `Bearer ${await idp.issue(findDemoUser("auditor")!, { iss: `${base}/tenant` })}`,
      ),
    ).toMatchObject({
      role: "AUDITOR",
    });
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
