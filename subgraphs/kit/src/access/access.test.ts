import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agencyAssertionKey, createAssertionSigner, createAssertionVerifier } from "@safeguarding/shared/assertion";
import { loadOrCreateKeyPair, loadOrCreateSecret } from "@safeguarding/shared/keys";
import { childIdOf, decide } from "@safeguarding/shared/policy";
import type { AccessGrant, Role } from "@safeguarding/shared/identity";

const grant = (role: Role, facts: AccessGrant["facts"] = {}, via: AccessGrant["via"] = null): AccessGrant => ({
  identity: { userId: "u1", name: "Test User", role, organisation: "Test", email: "t@example.org" },
  purpose: { code: "MISSING_EPISODE", reference: "INC-1", agreement: null },
  requestId: "r1",
  facts,
  via,
});

describe("decide", () => {
  it("applies conditions per child, failing closed without the child's facts", () => {
    const missing = { "9990000018": { missingOrRecentlyFound: true, allocatedSocialWorker: false } };
    expect(decide(grant("RESPONSE_OFFICER", missing), "Placement", "address", "9990000018").allowed).toBe(true);
    expect(decide(grant("RESPONSE_OFFICER", missing), "Placement", "address", "9990000026").allowed).toBe(false);
    expect(decide(grant("RESPONSE_OFFICER", missing), "Placement", "address", null).allowed).toBe(false);
    expect(decide(grant("EDT"), "Placement", "address", null).allowed).toBe(true);
  });

  it("refuses unknown types and fields of unknown types, and callers with no identity outside the glossary", () => {
    expect(decide(grant("EDT"), "SomethingNew", "secret", null).allowed).toBe(false);
    expect(decide(null, "Child", "givenName", "9990000018").allowed).toBe(false);
    expect(decide(null, "GlossaryTerm", "meaning", null).allowed).toBe(true);
  });

  it("says who was refused what, and why", () => {
    const decision = decide(grant("CONTROL_ROOM"), "MentalHealthAssessment", "outcomeSummary", "9990000018");
    expect(decision).toEqual({
      allowed: false,
      message: expect.stringMatching(
        /^The CONTROL_ROOM role may not see MentalHealthAssessment.outcomeSummary\. .*Caldicott/,
      ),
    });
    const conditional = decide(grant("SOCIAL_WORKER"), "MentalHealthAssessment", "outcomeSummary", "9990000018");
    expect(conditional.allowed || conditional.message).toMatch(/only to the child's allocated social worker/);
  });

  it("lets the protocol engine read what its rules need, never clinical detail", () => {
    const engine = grant("CONTROL_ROOM", {}, "protocol");
    expect(decide(engine, "SocialCareRecord", "strategyDiscussions", null).allowed).toBe(true);
    expect(decide(engine, "MentalHealthAssessment", "outcomeSummary", null).allowed).toBe(false);
  });

  it("finds the child a value belongs to", () => {
    expect(childIdOf("Placement", { nhsNumber: "9990000018" }, {})).toBe("9990000018");
    expect(childIdOf("Child", { id: "9990000018", nhsNumber: "999 000 0018" }, {})).toBe("9990000018");
    expect(childIdOf("Query", null, { id: "999 000-0018" })).toBe("9990000018");
    expect(childIdOf("Mutation", null, { childId: "9990000018" })).toBe("9990000018");
    expect(childIdOf("LegalStatus", { id: "x" }, {})).toBeNull();
  });
});

describe("the gateway's assertion", () => {
  it("round-trips identity, purpose and facts for the one subgraph it names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assertion-"));
    try {
      const secret = await loadOrCreateSecret(dir, "gateway-assertion");
      expect(secret.created).toBe(true);
      expect((await loadOrCreateSecret(dir, "gateway-assertion")).created).toBe(false);
      const signer = await createAssertionSigner(secret.jwk);
      const healthKey = agencyAssertionKey(secret.jwk, "health");
      const facts = { "9990000018": { missingOrRecentlyFound: true, allocatedSocialWorker: true } };
      const token = await signer.sign(grant("SOCIAL_WORKER", facts), "health");
      const verified = await (await createAssertionVerifier(healthKey, "health")).verify(token);
      expect(verified).toEqual(grant("SOCIAL_WORKER", facts));
      // Another agency's key does not check it, and its own key is no good for another audience.
      await expect(
        (await createAssertionVerifier(agencyAssertionKey(secret.jwk, "police"), "police")).verify(token),
      ).rejects.toThrow(/signature/);
      await expect((await createAssertionVerifier(healthKey, "police")).verify(token)).rejects.toThrow(
        /signature|audience/,
      );
      // Minted under another secret, or by an agency with its own key for another agency: refused.
      const other = (await loadOrCreateSecret(mkdtempSync(join(tmpdir(), "other-")), "gateway-assertion")).jwk;
      const forged = await (await createAssertionSigner(other)).sign(grant("AUDITOR"), "health");
      await expect((await createAssertionVerifier(healthKey, "health")).verify(forged)).rejects.toThrow(/signature/);
      await expect((await createAssertionVerifier(healthKey, "health")).verify(undefined)).rejects.toThrow();
      // An Ed25519 or unsigned token is refused by its header before any key is tried.
      const [, payload] = token.split(".");
      const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.`;
      await expect((await createAssertionVerifier(healthKey, "health")).verify(none)).rejects.toThrow(/HS256/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("creates one key pair when several processes start at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assertion-race-"));
    try {
      const pairs = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKeyPair(dir, "race")));
      expect(new Set(pairs.map((p) => p.publicJwk.x)).size).toBe(1);
      expect(pairs.filter((p) => p.created)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
