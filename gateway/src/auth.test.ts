import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_ROLE_CLAIM,
  DEV_AUDIENCE,
  DEV_ISSUER,
  findDemoUser,
  loadDevIdentityProvider,
} from "@safeguarding/shared/dev-idp";
import { AuthenticationFailed, createAuthenticator, type Authenticator } from "./auth.js";

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
    const flipped = `${token.slice(0, -2)}${token.endsWith("A") ? "B" : "A"}${token.slice(-1)}`;
    await expect(authenticator.authenticate(`Bearer ${flipped}`)).rejects.toBeInstanceOf(AuthenticationFailed);
  });
});
