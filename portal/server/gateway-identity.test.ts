import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoOfficer } from "./course.ts";
import { createDevGatewayTokens, gatewayIdentityFor, gatewayRoleFor } from "./gateway-identity.ts";
import { loadCourse } from "./main.ts";

const course = await loadCourse();
const officer = (id: string): DemoOfficer => course.officerById(id)!;

/** The claims of a JWT, unverified: the gateway's own tests check signatures. */
const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));

describe("the gateway identity of a demo officer", () => {
  it("gives each officer in officers.json the role their team and rank call for", () => {
    expect(Object.fromEntries(course.officers.map((o) => [o.id, gatewayRoleFor(o)]))).toEqual({
      "pc-4127": "RESPONSE_OFFICER",
      "pc-2290": "POLICE_SAFEGUARDING",
      "dc-3318": "POLICE_SAFEGUARDING",
      "pc-5062": "CONTROL_ROOM",
      "ps-1102": "TRAINING_SUPERVISOR",
      "insp-0871": "TRAINING_SUPERVISOR",
    });
  });

  it("names the officer, the force and team, and a made-up email address", () => {
    expect(gatewayIdentityFor(officer("dc-3318"))).toMatchObject({
      id: "portal-dc-3318",
      name: "DC Priya Nair",
      role: "POLICE_SAFEGUARDING",
      organisation: "Avonvale Police, Child exploitation team",
      email: "dc-3318@avonvale.police.example",
    });
  });
});

describe("development gateway tokens", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "portal-tokens-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("signs a token for the officer and reuses it until a minute before it expires", async () => {
    let now = Date.parse("2026-11-26T02:00:00Z");
    const tokens = createDevGatewayTokens({ dataDir, ttlSeconds: 600, now: () => now });
    const tom = officer("pc-2290");
    // Tokens signed in the same second are byte-for-byte the same (Ed25519 is deterministic), so a reused token
    // is told from a new one by the promise the cache hands back.
    const first = tokens.tokenFor(tom);
    expect(claims(await first)).toMatchObject({
      sub: "demo:portal-pc-2290",
      name: "PC Tom Okafor",
      sg_role: "POLICE_SAFEGUARDING",
      org: "Avonvale Police, Missing persons unit",
    });
    expect(claims(await first).exp - claims(await first).iat).toBe(600);
    now += 530_000;
    expect(tokens.tokenFor(tom)).toBe(first);
    expect(claims(await tokens.tokenFor(officer("pc-4127"))).sub).toBe("demo:portal-pc-4127");
    now += 20_000; // 50 s left: renewed
    const renewed = tokens.tokenFor(tom);
    expect(renewed).not.toBe(first);
    expect(claims(await renewed).sub).toBe("demo:portal-pc-2290");
    expect(tokens.tokenFor(tom)).toBe(renewed);
    tokens.forget(tom);
    expect(tokens.tokenFor(tom)).not.toBe(renewed);
  });
});
