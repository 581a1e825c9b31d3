import { GraphQLError } from "graphql";
import { expect } from "vitest";
import { openSubgraphStore, type SubgraphDefinition } from "./app.js";
import type { RequestBase, RequestContext } from "./service.js";
import type { AccessGrant, AccessPurpose, ChildFacts, Role } from "@safeguarding/shared/identity";
import { newAccessRecord } from "@safeguarding/shared/request-audit";
import { storeTestBackends, type TestBackend } from "@safeguarding/shared/store-testing";
import type { SubjectTables } from "./subjects.js";

export type { TestBackend, TestStore } from "@safeguarding/shared/store-testing";

/**
 * The real stores a subgraph's tests run against: an SQLite file in a temp dir always, and a fresh PostgreSQL
 * database (created and dropped per test file) when TEST_DATABASE_URL is set, as CI sets it.
 */
export function testBackends<DB extends SubjectTables, C extends RequestContext>(
  definition: SubgraphDefinition<DB, C>,
): TestBackend<DB>[] {
  return storeTestBackends<DB>(definition.name, (location) => openSubgraphStore(definition, location));
}

/**
 * Asserts a write was refused the way callers are promised: a GraphQLError with BAD_USER_INPUT, the field at
 * fault, and a sentence (matching `message` when given) saying what to fix.
 */
export async function expectBadInput(
  promise: Promise<unknown>,
  field: string,
  message?: RegExp,
): Promise<GraphQLError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a BAD_USER_INPUT error on ${field}, but the write succeeded`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  const refusal = error as GraphQLError;
  expect(refusal.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
  if (message) expect(refusal.message).toMatch(message);
  else expect(refusal.message.length).toBeGreaterThan(20);
  return refusal;
}

export interface TestGrantOptions {
  /** Facts per child; "all" makes every condition true for every child (a caller who may see everything). */
  facts?: Record<string, ChildFacts> | "all";
  email?: string | null;
  purpose?: AccessPurpose | null;
  userId?: string;
}

/** A grant as the gateway would assert it, for tests that run a subgraph's schema in process. */
export function testGrant(role: Role, options: TestGrantOptions = {}): AccessGrant {
  const facts =
    options.facts === "all"
      ? (new Proxy(
          {},
          { get: () => ({ missingOrRecentlyFound: true, allocatedSocialWorker: true }) },
        ) as AccessGrant["facts"])
      : (options.facts ?? {});
  return {
    identity: {
      userId: options.userId ?? `test-${role.toLowerCase()}`,
      name: `Test ${role}`,
      role,
      organisation: "Test organisation",
      email: options.email ?? null,
    },
    purpose:
      options.purpose === undefined
        ? { code: "SAFEGUARDING_ENQUIRY", reference: "TEST-1", agreement: null }
        : options.purpose,
    requestId: "test-request",
    facts,
    via: null,
  };
}

export function testRequest(role: Role, options: TestGrantOptions = {}): RequestBase {
  return { requestId: "test-request", grant: testGrant(role, options), access: newAccessRecord(), audited: false };
}
