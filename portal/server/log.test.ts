import { describe, expect, it } from "vitest";
import { pathForLog } from "./log.ts";

describe("pathForLog", () => {
  it("keeps the route and drops NHS numbers and ids", () => {
    expect(pathForLog("/action-card/9990000018")).toBe("/action-card/:id");
    expect(pathForLog("/action-card/999%20000%200018")).toBe("/action-card/:id");
    expect(pathForLog("/api/certificates/legal-status")).toBe("/api/certificates/legal-status");
    expect(pathForLog("/api/certificates/module-2")).toBe("/api/certificates/:id");
  });
});
