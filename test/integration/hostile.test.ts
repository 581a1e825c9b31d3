import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { craftToken, identityProviderKey, type CraftOptions } from "../support/tokens.js";
import {
  agencyAssertionKey,
  ASSERTION_HEADER,
  ASSERTION_ISSUER,
  createAssertionSigner,
} from "@safeguarding/shared/assertion";
import { DEFAULT_ROLE_CLAIM } from "@safeguarding/shared/demo-users";
import { loadOrCreateSecret } from "@safeguarding/shared/keys";
import { testGrant } from "@safeguarding/kit/testing";
import { DEMO_CHILD, postGraphql, PURPOSE, startCluster, type Cluster } from "../support/cluster.js";
import { entriesFor } from "../support/audit.js";

/**
 * Hostile input, each refused with a clear code and without any agency being asked: the proof is that no
 * service's audit trail holds an entry for the request id the attacker sent.
 */

let cluster: Cluster;
let idpKey: JWK;
const CHILD_QUERY = `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { givenName socialCare { placement { address } } } }`;

beforeAll(async () => {
  cluster = await startCluster();
  idpKey = (await identityProviderKey(cluster.dataDir)).privateJwk;
});

afterAll(async () => {
  await cluster?.close();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

const craft = (options: CraftOptions = {}) => craftToken(cluster, options);

/** Sends a request with its own request id, and checks no agency (and no audit trail) ever saw it. */
async function refusedBeforeAnyAgency(body: unknown, authorization: string | null) {
  const requestId = `hostile-${randomUUID()}`;
  const headers: Record<string, string> = { "content-type": "application/json", "x-request-id": requestId };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(cluster.gatewayUrl, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await response.text();
  expect(text).not.toMatch(/127\.0\.0\.1|stack|at .*\.js:\d+|SQL|sqlite/i);
  const entries = await entriesFor(cluster, requestId);
  // No agency was asked, so none recorded anything; the gateway may record the refused attempt, with nothing shown.
  expect(entries.filter((e) => e.service !== "gateway")).toEqual([]);
  for (const entry of entries) expect(entry).toMatchObject({ fieldsReturned: [], outcome: "REFUSED" });
  return { status: response.status, body: JSON.parse(text) as { errors?: { message: string; extensions?: any }[] } };
}

async function expectUnauthenticated(authorization: string | null, message: RegExp) {
  const { status, body } = await refusedBeforeAnyAgency({ query: CHILD_QUERY }, authorization);
  expect(status).toBe(401);
  expect(body.errors).toHaveLength(1);
  expect(body.errors![0].extensions.code).toBe("UNAUTHENTICATED");
  expect(body.errors![0].message).toMatch(message);
}

describe("bearer tokens the gateway refuses with 401 UNAUTHENTICATED", () => {
  it("no token", () => expectUnauthenticated(null, /Sign in first/));

  it.each([
    ["a read missing its purpose", `{ child(id: "${DEMO_CHILD}") { id } }`],
    ["an unknown field", "{ nope }"],
    ["a probe of the schema", "{ __schema { types { name } } }"],
    ["a syntax error", "{ child(id: "],
    [
      "a glossary look-up with a child beside it",
      `{ glossarySearch(query: "ICO") { id } child(id: "${DEMO_CHILD}") { id } }`,
    ],
  ])("no token on %s: 401 before the request is validated, so nothing about the schema leaks", async (_, query) => {
    const { status, body } = await refusedBeforeAnyAgency({ query }, null);
    expect(status).toBe(401);
    expect(body.errors).toEqual([
      { message: expect.stringMatching(/Sign in first/), extensions: { code: "UNAUTHENTICATED" } },
    ]);
  });

  it("not a bearer token", () => expectUnauthenticated("Basic YWRtaW46YWRtaW4=", /Authorization: Bearer/));

  it("expired", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectUnauthenticated(`Bearer ${await craft({ claims: { exp: past, iat: past - 60 } })}`, /expired/);
  });

  it("not yet valid", async () => {
    const later = Math.floor(Date.now() / 1000) + 3600;
    await expectUnauthenticated(`Bearer ${await craft({ claims: { nbf: later } })}`, /not valid yet/);
  });

  it("wrong issuer", () =>
    craft({ iss: "https://login.example.com" }).then((t) =>
      expectUnauthenticated(`Bearer ${t}`, /not issued for this gateway/),
    ));

  it("wrong audience", () =>
    craft({ aud: "some-other-api" }).then((t) => expectUnauthenticated(`Bearer ${t}`, /not issued for this gateway/)));

  it("signed with another key under the real key's id", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const key = { ...(await exportJWK(privateKey)), kid: idpKey.kid };
    await expectUnauthenticated(`Bearer ${await craft({ key })}`, /signature could not be verified/);
  });

  it("alg: none", async () => {
    const valid = await craft();
    const [, payload] = valid.split(".");
    await expectUnauthenticated(
      `Bearer ${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
      /could not be verified|algorithm/,
    );
  });

  it("HS256 signed with the public key (algorithm confusion)", async () => {
    const publicKey = (await identityProviderKey(cluster.dataDir)).publicJwk;
    const secret = { kty: "oct", k: Buffer.from(JSON.stringify(publicKey)).toString("base64url") };
    await expectUnauthenticated(`Bearer ${await craft({ key: secret, alg: "HS256" })}`, /algorithm/);
  });

  it("a valid token with its payload tampered (role raised to AUDITOR)", async () => {
    const [header, payload, signature] = (await craft()).split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = b64({ ...claims, [DEFAULT_ROLE_CLAIM]: "AUDITOR" });
    await expectUnauthenticated(`Bearer ${header}.${forged}.${signature}`, /signature could not be verified/);
  });

  it("a role claimed anywhere but the trusted claim", async () => {
    const token = await craft({ claims: { [DEFAULT_ROLE_CLAIM]: undefined, roles: ["AUDITOR"], role: "AUDITOR" } });
    await expectUnauthenticated(`Bearer ${token}`, /no recognised role in its "sg_role" claim/);
  });

  it("an unknown role in the trusted claim", async () => {
    const token = await craft({ claims: { [DEFAULT_ROLE_CLAIM]: "CHIEF_CONSTABLE" } });
    await expectUnauthenticated(`Bearer ${token}`, /no recognised role/);
  });

  it("ignores roles outside the trusted claim when the trusted one is there", async () => {
    const token = await craft({
      claims: { roles: ["AUDITOR"], role: "AUDITOR", realm_access: { roles: ["AUDITOR"] } },
    });
    const result = await cluster.query(
      `{ accessLog(childId: "${DEMO_CHILD}") { at } }`,
      {},
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(result.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", field: "Query.accessLog" });
    expect(result.errors?.[0].message).toMatch(/RESPONSE_OFFICER role may not see Query.accessLog/);
  });
});

describe("operations the gateway refuses before any agency is asked, even with a valid token", () => {
  let token: string;
  beforeAll(async () => {
    token = `Bearer ${await cluster.token("police-safeguarding")}`;
  });

  const nested = (levels: number) => `${"relatedTerms { ".repeat(levels)}id${" }".repeat(levels)}`;
  it.each([
    [
      "a query nested 20 levels deep",
      `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { socialCare { legalStatus { term { ${nested(20)} } } } } }`,
      "OPERATION_LIMIT_EXCEEDED",
    ],
    [
      "an alias flood",
      `{ ${Array.from({ length: 40 }, (_, i) => `c${i}: child(id: "${DEMO_CHILD}", ${PURPOSE}) { id }`).join(" ")} }`,
      "OPERATION_LIMIT_EXCEEDED",
    ],
    [
      "a huge query",
      `{ child(id: "${DEMO_CHILD}", ${PURPOSE}) { ${Array.from({ length: 6000 }, () => "id").join(" ")} } }`,
      "GRAPHQL_PARSE_FAILED",
    ],
    ["a read with no purpose", `{ child(id: "${DEMO_CHILD}") { id } }`, "BAD_USER_INPUT"],
    [
      "a read with an empty reference",
      `{ child(id: "${DEMO_CHILD}", purpose: { code: EMERGENCY, reference: "  " }) { id } }`,
      "BAD_USER_INPUT",
    ],
    [
      "SQL in a name search",
      `{ children(search: { name: "x'; DROP TABLE subjects; --" }, ${PURPOSE}) { id } }`,
      "BAD_USER_INPUT",
    ],
    [
      "markup in a name search",
      `{ children(search: { name: "<script>alert(1)</script>" }, ${PURPOSE}) { id } }`,
      "BAD_USER_INPUT",
    ],
    ["SQL in an NHS number", `{ child(id: "9990000018' OR '1'='1", ${PURPOSE}) { id } }`, "BAD_USER_INPUT"],
  ])("%s", async (_name, query, code) => {
    const { body } = await refusedBeforeAnyAgency({ query }, token);
    expect(body.errors?.[0].extensions.code).toBe(code);
    expect(body.errors?.[0].message.length).toBeGreaterThan(20);
  });

  it("says what to add when the purpose is missing", async () => {
    const { body } = await refusedBeforeAnyAgency({ query: `{ child(id: "${DEMO_CHILD}") { id } }` }, token);
    expect(body.errors?.[0].message).toMatch(/purpose/);
    expect(body.errors?.[0].message).toMatch(/reference/);
  });

  it("a batched array", async () => {
    const { status } = await refusedBeforeAnyAgency([{ query: CHILD_QUERY }, { query: CHILD_QUERY }], token);
    expect(status).toBe(400);
  });

  it("a cross-site form post (CSRF)", async () => {
    const response = await fetch(cluster.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: token },
      body: JSON.stringify({ query: CHILD_QUERY }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF|preflight|content-type/i);
  });

  it("a query sent by GET from another site (CSRF)", async () => {
    const response = await fetch(`${cluster.gatewayUrl}?query=${encodeURIComponent(CHILD_QUERY)}`, {
      headers: { authorization: token },
    });
    expect(response.status).toBe(400);
  });

  it("an apostrophe in a real name is fine, and finds nothing rather than failing", async () => {
    const result = await cluster.query(`{ children(search: { name: "O'Brien-Nuñez" }, ${PURPOSE}) { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.children).toEqual([]);
  });
});

describe("injection strings in write inputs", () => {
  it("are stored as the text they are, never run", async () => {
    const hostile = `'); DELETE FROM missing_episodes; -- <script>alert(1)</script>`;
    const before = await cluster.query(
      `{ child(id: "9990000026", ${PURPOSE}) { police { missingEpisodes { id } } } }`,
      {},
      { as: "police-safeguarding" },
    );
    const written = await cluster.query(
      `mutation($input: ReportMissingInput!) { reportMissing(input: $input) { id circumstances lastSeenLocation } }`,
      {
        input: {
          childId: "9990000026",
          reportedAt: new Date(Date.now() - 60_000).toISOString(),
          reportedBy: "Foster carer",
          lastSeenAt: new Date(Date.now() - 3_600_000).toISOString(),
          lastSeenLocation: hostile,
          circumstances: hostile,
          riskLevel: "MEDIUM",
          cseIndicators: false,
          department: "Response",
        },
      },
      { as: "police-safeguarding" },
    );
    expect(written.errors).toBeUndefined();
    expect(written.data.reportMissing).toMatchObject({ circumstances: hostile, lastSeenLocation: hostile });
    const after = await cluster.query(
      `{ child(id: "9990000026", ${PURPOSE}) { police { missingEpisodes { id } } } }`,
      {},
      { as: "police-safeguarding" },
    );
    expect(after.data.child.police.missingEpisodes).toHaveLength(before.data.child.police.missingEpisodes.length + 1);
  });

  it("in an id are refused with BAD_USER_INPUT and change nothing", async () => {
    const result = await cluster.query(
      `mutation($input: RecordFoundInput!) { recordFound(input: $input) { id } }`,
      {
        input: {
          episodeId: "x' OR '1'='1",
          foundAt: new Date().toISOString(),
          foundLocation: "Bus station",
          foundBy: "PC 1",
          returnedTo: "PLACEMENT",
        },
      },
      { as: "response-officer" },
    );
    expect(result.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("calling a subgraph directly, around the gateway", () => {
  const query = `{ _entities(representations: [{ __typename: "Child", id: "${DEMO_CHILD}" }]) { ... on Child { police { cseConcerns { summary } } } } }`;

  async function direct(assertion?: string) {
    const headers: Record<string, string> = assertion ? { [ASSERTION_HEADER]: assertion } : {};
    return postGraphql(cluster.subgraphUrls.police, query, {}, headers);
  }

  it("without the gateway's assertion: 401", async () => {
    const result = await direct();
    expect(result.status).toBe(401);
    expect(result.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(result.data).toBeUndefined();
  });

  it("with a user's bearer token instead: 401", async () => {
    const result = await postGraphql(
      cluster.subgraphUrls.police,
      query,
      {},
      {
        authorization: `Bearer ${await cluster.token("police-safeguarding")}`,
        [ASSERTION_HEADER]: await cluster.token("police-safeguarding"),
      },
    );
    expect(result.status).toBe(401);
  });

  it("with an assertion minted under another secret: 401", async () => {
    const other = (await loadOrCreateSecret(join(cluster.dataDir, "elsewhere"), "gateway-assertion")).jwk;
    const signer = await createAssertionSigner(other);
    expect((await direct(await signer.sign(testGrant("POLICE_SAFEGUARDING"), "police"))).status).toBe(401);
  });

  it("with the gateway's assertion for another agency (replayed): 401", async () => {
    const secret = (await loadOrCreateSecret(cluster.dataDir, "gateway-assertion")).jwk;
    const signer = await createAssertionSigner(secret);
    expect((await direct(await signer.sign(testGrant("POLICE_SAFEGUARDING"), "health"))).status).toBe(401);
    // The same key and the right audience is accepted: the refusals above are about the assertion, nothing else.
    const ok = await direct(await signer.sign(testGrant("POLICE_SAFEGUARDING"), "police"));
    expect(ok.status).toBe(200);
    expect(ok.data._entities[0].police.cseConcerns.length).toBeGreaterThan(0);
  });

  it("with an expired assertion: 401", async () => {
    const secret = (await loadOrCreateSecret(cluster.dataDir, "gateway-assertion")).jwk;
    const key = await importJWK(agencyAssertionKey(secret, "police"), "HS256");
    const past = Math.floor(Date.now() / 1000) - 600;
    const stale = await new SignJWT({ role: "POLICE_SAFEGUARDING", org: "x", name: "x", rid: "r" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ASSERTION_ISSUER)
      .setAudience("police")
      .setSubject("someone")
      .setIssuedAt(past)
      .setExpirationTime(past + 60)
      .sign(key);
    expect((await direct(stale)).status).toBe(401);
  });
});
