import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgencySilent, createAgencyBreaker, NOT_ANSWERING, silenceOf } from "./breakers.js";

describe("which failures count against an agency", () => {
  it("a missed deadline and a refused connection do; a dropped connection does not", () => {
    expect(silenceOf(new Error("x"), true, 5000)).toMatchObject({ reason: "did not answer within 5 s", counts: true });
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(silenceOf(refused, false, 5000)).toMatchObject({ reason: "could not be reached", counts: true });
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(silenceOf(reset, false, 5000).counts).toBe(false);
  });
});

describe("an agency's breaker", () => {
  let server: Server;
  let healthy = false;
  let healthUrl: string;
  beforeAll(async () => {
    server = createServer((_, response) => response.writeHead(healthy ? 200 : 503).end("{}"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    healthUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("opens on the first counted failure, fails at once while open, and closes when the probe finds it answering", async () => {
    const changes: boolean[] = [];
    const breaker = createAgencyBreaker(healthUrl, (open) => changes.push(open));
    expect(await breaker.call(async () => "answered")).toBe("answered");
    // A dropped connection fails that call only.
    await expect(breaker.call(() => Promise.reject(new AgencySilent("could not be reached", false)))).rejects.toThrow();
    expect(breaker.open).toBe(false);
    await expect(breaker.call(() => Promise.reject(new AgencySilent("did not answer within 5 s")))).rejects.toThrow();
    expect(breaker.open).toBe(true);
    let called = false;
    const started = performance.now();
    await expect(
      breaker.call(async () => {
        called = true;
      }),
    ).rejects.toThrow(NOT_ANSWERING);
    expect(called).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
    // Still down at the first probes; once /health answers, the next probe closes the breaker.
    await new Promise((r) => setTimeout(r, 1200));
    expect(breaker.open).toBe(true);
    healthy = true;
    for (let i = 0; i < 50 && breaker.open; i += 1) await new Promise((r) => setTimeout(r, 200));
    expect(breaker.open).toBe(false);
    expect(await breaker.call(async () => "answered again")).toBe("answered again");
    expect(changes).toEqual([true, false]);
  });
});
