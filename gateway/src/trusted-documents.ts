import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ApolloServerPlugin, BaseContext, GraphQLRequest } from "@apollo/server";
import { GraphQLError, Kind, parse, type OperationTypeNode } from "graphql";
import { z } from "zod";

export const OPERATION_NOT_TRUSTED = "OPERATION_NOT_TRUSTED";
const NOT_TRUSTED_MESSAGE =
  "This gateway runs only registered operations: register the operation in the trusted documents manifest, or send its documentId.";

export type TrustCheck =
  { ok: true; query: string } | { ok: false; code: typeof OPERATION_NOT_TRUSTED; message: string };

export interface TrustedDocuments {
  /** Operations in the manifest. */
  readonly size: number;
  check(request: { query?: string; extensions?: Record<string, unknown>; documentId?: string }): TrustCheck;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

const manifestSchema = z.object({
  format: z.literal("apollo-persisted-query-manifest"),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().regex(SHA256_HEX, "must be the lowercase sha256 hex of the body"),
      name: z.string().min(1),
      type: z.enum(["query", "mutation", "subscription"]),
      body: z.string().min(1),
    }),
  ),
});

export type PersistedQueryManifest = z.infer<typeof manifestSchema>;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function createTrustedDocuments(manifest: PersistedQueryManifest): TrustedDocuments {
  const bodies = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
  const refused = { ok: false, code: OPERATION_NOT_TRUSTED, message: NOT_TRUSTED_MESSAGE } as const;
  return {
    size: bodies.size,
    check({ query, extensions, documentId }) {
      // Query text, when sent, decides on its own: it must be a registered body, character for character.
      if (typeof query === "string" && query !== "") {
        return bodies.has(sha256(query)) ? { ok: true, query } : refused;
      }
      const persisted = extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
      // The GraphQL-over-HTTP persisted documents draft prefixes ids with "sha256:"; Apollo clients send bare hex.
      const id = documentId?.replace(/^sha256:/, "") ?? persisted?.sha256Hash;
      const body = typeof id === "string" ? bodies.get(id) : undefined;
      return body === undefined ? refused : { ok: true, query: body };
    },
  };
}

/** Reads an Apollo persisted query manifest. Start-up stops here, naming the file and the fault, if it is bad. */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`Trusted documents manifest ${path} could not be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`Trusted documents manifest ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const faults = result.error.issues.map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    throw new Error(`Trusted documents manifest ${path} is not a valid manifest: ${faults.join("; ")}.`);
  }
  for (const [index, operation] of result.data.operations.entries()) {
    if (sha256(operation.body) !== operation.id) {
      throw new Error(
        `Trusted documents manifest ${path}: operations.${index} ("${operation.name}") has an id that is not the sha256 of its body; regenerate the manifest.`,
      );
    }
  }
  return createTrustedDocuments(result.data);
}

function documentIdOf(request: GraphQLRequest): string | undefined {
  const http = request.http;
  let documentId: unknown = (request as { documentId?: unknown }).documentId;
  if (http?.method === "GET") documentId = new URLSearchParams(http.search).get("documentId") ?? undefined;
  else if (http?.body && typeof http.body === "object") documentId = (http.body as { documentId?: unknown }).documentId;
  return typeof documentId === "string" ? documentId : undefined;
}

// Run in place of a refused request's text, so that text is never parsed or validated (which would answer
// schema questions for a caller who may only run registered operations); the refusal is raised once it resolves.
const REFUSED_PLACEHOLDER = "query OperationNotTrusted { __typename }";

/**
 * Runs only operations in the manifest. A registered id (`documentId`, or Apollo's
 * `extensions.persistedQuery.sha256Hash`) runs the manifest's body; any other request is refused with
 * OPERATION_NOT_TRUSTED and HTTP 400 before its text is parsed.
 */
export function trustedDocumentsPlugin<TContext extends BaseContext>(
  documents: TrustedDocuments,
): ApolloServerPlugin<TContext> {
  return {
    // Apollo Server reads `request.query` only after every requestDidStart hook has returned.
    async requestDidStart({ request }) {
      const verdict = documents.check({
        query: request.query,
        extensions: request.extensions,
        documentId: documentIdOf(request),
      });
      // The id has done its work here; Apollo's own automatic persisted queries must not act on it as well.
      if (request.extensions?.persistedQuery) {
        const { persistedQuery: _persistedQuery, ...others } = request.extensions;
        request.extensions = others;
      }
      if (verdict.ok) {
        request.query = verdict.query;
        return;
      }
      request.query = REFUSED_PLACEHOLDER;
      return {
        async didResolveOperation() {
          throw new GraphQLError(verdict.message, { extensions: { code: verdict.code, http: { status: 400 } } });
        },
      };
    },
  };
}

function operationTypeOf(name: string, body: string): OperationTypeNode {
  let definitions;
  try {
    definitions = parse(body).definitions;
  } catch (error) {
    throw new Error(`Client operation "${name}" is not valid GraphQL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const operations = definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) {
    throw new Error(`Client operation "${name}" must hold exactly one operation; it holds ${operations.length}.`);
  }
  return operations[0].operation;
}

/** An Apollo persisted query manifest for the given operations, ordered by name so the file diffs cleanly. */
export function buildManifest(operations: { name: string; body: string }[]): PersistedQueryManifest {
  return {
    format: "apollo-persisted-query-manifest",
    version: 1,
    operations: operations
      .map(({ name, body }) => ({ id: sha256(body), name, type: operationTypeOf(name, body), body }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
  };
}
