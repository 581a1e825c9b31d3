import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PORTAL_CLIENT_ID, portalClientSecret } from "@safeguarding/identity-provider";
import { signInAsDemoUser } from "@safeguarding/identity-provider/client";
import { DEMO_USERS, findDemoUser } from "@safeguarding/shared/demo-users";
import { DEMO_CHILD, PURPOSE, repoRoot, startCluster, type Cluster } from "../support/cluster.js";

/**
 * One sign-in: the gateway trusts the identity provider it found through the provider's discovery document, and a
 * token from the provider's real authorization code + PKCE flow reads a child as the user who signed in.
 */

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.close();
});

const READ = `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { givenName } }`;

async function lastReader(): Promise<Record<string, unknown>> {
  const log = await cluster.query(
    `{ accessLog(childId: "${DEMO_CHILD}") { at userId userName role organisation } }`,
    {},
    {
      as: "auditor",
    },
  );
  expect(log.errors).toBeUndefined();
  const entries = log.data.accessLog as { at: string }[];
  return entries.sort((a, b) => b.at.localeCompare(a.at))[0];
}

describe("tokens from the identity provider at the gateway", () => {
  it("reads a child with a token from the code + PKCE flow, as the user who signed in", async () => {
    const { tokens } = await signInAsDemoUser({ issuer: cluster.issuer, user: "pc-2290" });
    const result = await cluster.query(READ, {}, { authorization: `Bearer ${tokens.access_token}` });
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data.child.givenName).toBe("Amber");
    expect(await lastReader()).toMatchObject({
      userId: "demo:pc-2290",
      userName: "PC Tom Okafor",
      role: "POLICE_SAFEGUARDING",
      organisation: "Avonvale Police, Missing persons unit",
    });
  });

  it("accepts the portal's token, from its own confidential client", async () => {
    const { tokens } = await signInAsDemoUser({
      issuer: cluster.issuer,
      user: "pc-5062",
      clientId: PORTAL_CLIENT_ID,
      clientSecret: portalClientSecret(cluster.dataDir, {}),
      redirectUri: "http://127.0.0.1:4321/auth/callback",
    });
    const result = await cluster.query(READ, {}, { authorization: `Bearer ${tokens.access_token}` });
    expect(result.errors).toBeUndefined();
    expect((await lastReader()).userId).toBe("demo:pc-5062");
  });

  it("refuses a token the provider issued for its userinfo endpoint rather than for the gateway", async () => {
    const { tokens } = await signInAsDemoUser({ issuer: cluster.issuer, user: "edt", resource: null });
    const result = await cluster.query(READ, {}, { authorization: `Bearer ${tokens.access_token}` });
    expect(result.status).toBe(401);
    expect(result.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses the ID token, which is for the client, not the gateway", async () => {
    const { tokens } = await signInAsDemoUser({ issuer: cluster.issuer, user: "edt" });
    const result = await cluster.query(READ, {}, { authorization: `Bearer ${tokens.id_token}` });
    expect(result.status).toBe(401);
    expect(result.errors?.[0].message).toMatch(/not issued for this gateway/);
  });
});

describe("one list of users", () => {
  it("holds the training portal's former officers under their old ids, whose records move to demo:<id>", () => {
    // The portal signed these six in itself before one sign-in; its store migration moves their progress from
    // "<id>" to "demo:<id>", so each must be here under the same id and name, the supervisors as supervisors.
    const former = {
      "pc-4127": "PC Amira Haddad",
      "pc-2290": "PC Tom Okafor",
      "dc-3318": "DC Priya Nair",
      "pc-5062": "PC Rhys Llewellyn",
      "ps-1102": "PS Gareth Moss",
      "insp-0871": "Insp Joanne Whitfield",
    };
    for (const [id, name] of Object.entries(former)) expect(findDemoUser(id)?.name, id).toBe(name);
    expect(findDemoUser("ps-1102")?.role).toBe("TRAINING_SUPERVISOR");
    expect(findDemoUser("insp-0871")?.role).toBe("TRAINING_SUPERVISOR");
  });

  it("has no two users with one id", () => {
    expect(new Set(DEMO_USERS.map((u) => u.id)).size).toBe(DEMO_USERS.length);
  });
});

describe("npm run token", () => {
  const run = promisify(execFile);
  const token = (env: Record<string, string>) =>
    run(process.execPath, [join(repoRoot, "scripts/token.mjs"), "--user", "camhs"], {
      cwd: repoRoot,
      env: { ...process.env, DATA_DIR: cluster.dataDir, ...env },
    });

  it("prints a token from the running provider that the gateway accepts", async () => {
    const { stdout } = await token({ AUTH_ISSUER: cluster.issuer });
    const result = await cluster.query(READ, {}, { authorization: `Bearer ${stdout.trim()}` });
    expect(result.errors).toBeUndefined();
  });

  it("starts the provider for the command when none answers, signing with the same key", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const issuer = `http://127.0.0.1:${port}`;
    const { stdout, stderr } = await token({ AUTH_ISSUER: issuer });
    expect(stderr).toMatch(/starting the identity provider there/);
    const printed = stdout.trim();
    expect(decodeJwt(printed)).toMatchObject({ iss: issuer, sub: "demo:camhs", sg_role: "HEALTH_CAMHS" });
    // The cluster's provider publishes the key it was signed with: the data dir's one key.
    await jwtVerify(printed, createRemoteJWKSet(new URL(`${cluster.issuer}/jwks`)), { issuer });
  });
});
