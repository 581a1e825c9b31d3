import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApolloServer, HeaderMap } from "@apollo/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildManifest, loadTrustedDocuments, trustedDocumentsPlugin } from "./trusted-documents.js";

const GREETING = "query Greeting { greeting }";
const RECORD_VISIT = "mutation RecordVisit { recordVisit }";
const greetingId = createHash("sha256").update(GREETING).digest("hex");
const NOT_TRUSTED =
  "This gateway runs only registered operations: register the operation in the trusted documents manifest, or send its documentId.";

const dir = mkdtempSync(join(tmpdir(), "trusted-documents-"));
const writeManifest = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

let visits = 0;
let server: ApolloServer;

beforeAll(async () => {
  const manifest = buildManifest([
    { name: "Greeting", body: GREETING },
    { name: "RecordVisit", body: RECORD_VISIT },
  ]);
  server = new ApolloServer({
    typeDefs: "type Query { greeting: String! secret: String! } type Mutation { recordVisit: Int! }",
    resolvers: {
      Query: { greeting: () => "hello", secret: () => "hidden" },
      Mutation: { recordVisit: () => ++visits },
    },
    plugins: [trustedDocumentsPlugin(loadTrustedDocuments(writeManifest("manifest.json", manifest)))],
  });
  await server.start();
});

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: Record<string, unknown>) {
  const result = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: "POST",
      headers: new HeaderMap([["content-type", "application/json"]]),
      search: "",
      body,
    },
    context: async () => ({}),
  });
  if (result.body.kind !== "complete") throw new Error("expected a single response");
  return { status: result.status ?? 200, body: JSON.parse(result.body.string) };
}

const refusal = {
  status: 400,
  body: { errors: [{ message: NOT_TRUSTED, extensions: { code: "OPERATION_NOT_TRUSTED" } }] },
};

describe("trusted documents", () => {
  it("runs a registered query sent as text", async () => {
    expect(await post({ query: GREETING })).toEqual({ status: 200, body: { data: { greeting: "hello" } } });
  });

  it("refuses the same query with one character changed", async () => {
    expect(await post({ query: GREETING.replace("{ greeting }", "{ greeting}") })).toEqual(refusal);
    expect(await post({ query: "query Greeting { secret }", operationName: "Greeting" })).toEqual(refusal);
  });

  it("refuses before parsing or validating, so errors give nothing away about the schema", async () => {
    expect(await post({ query: "{ greeting" })).toEqual(refusal);
    expect(await post({ query: "{ greetin }" })).toEqual(refusal);
  });

  it("refuses an unregistered mutation before it runs", async () => {
    expect(await post({ query: "mutation { recordVisit }" })).toEqual(refusal);
    expect(visits).toBe(0);
    expect(await post({ query: RECORD_VISIT })).toEqual({ status: 200, body: { data: { recordVisit: 1 } } });
  });

  it("runs the manifest's body for a registered documentId", async () => {
    const greeted = { status: 200, body: { data: { greeting: "hello" } } };
    expect(await post({ documentId: greetingId })).toEqual(greeted);
    expect(await post({ documentId: `sha256:${greetingId}` })).toEqual(greeted);
    expect(await post({ extensions: { persistedQuery: { version: 1, sha256Hash: greetingId } } })).toEqual(greeted);
  });

  it("runs a registered documentId sent by GET", async () => {
    const result = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: "GET",
        headers: new HeaderMap([["apollo-require-preflight", "true"]]),
        search: `?documentId=${greetingId}`,
        body: undefined,
      },
      context: async () => ({}),
    });
    expect(result.body).toEqual({ kind: "complete", string: JSON.stringify({ data: { greeting: "hello" } }) + "\n" });
  });

  it("refuses an unknown documentId, and a request with neither text nor id", async () => {
    expect(await post({ documentId: "0".repeat(64) })).toEqual(refusal);
    expect(await post({ extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } })).toEqual(refusal);
    expect(await post({ operationName: "Greeting" })).toEqual(refusal);
  });

  it("also applies to operations run in process", async () => {
    const refused = await server.executeOperation({ query: "{ secret }" });
    expect(refused.body).toMatchObject({
      kind: "single",
      singleResult: { errors: [{ extensions: { code: "OPERATION_NOT_TRUSTED" } }] },
    });
  });
});

describe("trusted documents manifest", () => {
  it("is built from client operations with sha256 ids and each operation's type", () => {
    const manifest = buildManifest([
      { name: "RecordVisit", body: RECORD_VISIT },
      { name: "Greeting", body: GREETING },
    ]);
    expect(manifest).toEqual({
      format: "apollo-persisted-query-manifest",
      version: 1,
      operations: [
        { id: greetingId, name: "Greeting", type: "query", body: GREETING },
        {
          id: createHash("sha256").update(RECORD_VISIT).digest("hex"),
          name: "RecordVisit",
          type: "mutation",
          body: RECORD_VISIT,
        },
      ],
    });
    expect(loadTrustedDocuments(writeManifest("built.json", manifest)).size).toBe(2);
  });

  it("refuses to build from a client operation that is not exactly one operation", () => {
    expect(() => buildManifest([{ name: "Broken", body: "query Broken {" }])).toThrow(
      /^Client operation "Broken" is not valid GraphQL/,
    );
    expect(() => buildManifest([{ name: "Two", body: `${GREETING} ${RECORD_VISIT}` }])).toThrow(
      'Client operation "Two" must hold exactly one operation; it holds 2.',
    );
  });

  it("names the file and the fault when the manifest is bad", () => {
    const notJson = writeManifest("not-json.json", "{ operations: ");
    expect(() => loadTrustedDocuments(notJson)).toThrow(
      new RegExp(`^Trusted documents manifest ${notJson} is not valid JSON`),
    );
    const missing = join(dir, "missing.json");
    expect(() => loadTrustedDocuments(missing)).toThrow(
      `Trusted documents manifest ${missing} could not be read: ENOENT`,
    );

    const wrongShape = writeManifest("wrong-shape.json", {
      format: "apollo-persisted-query-manifest",
      version: 2,
      operations: [{ id: "abc", name: "Greeting", type: "query", body: GREETING }],
    });
    expect(() => loadTrustedDocuments(wrongShape)).toThrow(
      /is not a valid manifest: version: .*; operations\.0\.id: must be the lowercase sha256 hex of the body\.$/,
    );

    const wrongId = writeManifest("wrong-id.json", {
      format: "apollo-persisted-query-manifest",
      version: 1,
      operations: [{ id: "0".repeat(64), name: "Greeting", type: "query", body: GREETING }],
    });
    expect(() => loadTrustedDocuments(wrongId)).toThrow(
      `Trusted documents manifest ${wrongId}: operations.0 ("Greeting") has an id that is not the sha256 of its body; regenerate the manifest.`,
    );
  });
});
