import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_OPERATIONS } from "./client-operations.js";
import { KNOWN_OPERATIONS } from "./metrics.js";

describe("the operation names the gateway's request metrics use", () => {
  it("are the shipped clients' operations: the control room's and the portal's action card", () => {
    const portal = readFileSync(new URL("../../portal/server/action-card.graphql", import.meta.url), "utf8");
    const portalOperations = [...portal.matchAll(/^\s*(?:query|mutation)\s+(\w+)/gm)].map((m) => m[1]);
    expect(portalOperations.length).toBeGreaterThan(0);
    expect([...KNOWN_OPERATIONS].sort()).toEqual([...CLIENT_OPERATIONS.map((o) => o.name), ...portalOperations].sort());
  });
});
