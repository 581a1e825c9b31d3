import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { callerAddress } from "./request-context.js";

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {} }) as IncomingMessage;

describe("the caller's address, for limiting requests without a token", () => {
  const proxies = new Set(["10.0.0.5", "10.0.0.6"]);

  it("is the socket's address when no trusted proxy is in between", () => {
    expect(callerAddress(request("203.0.113.9", "198.51.100.1"))).toBe("203.0.113.9");
    expect(callerAddress(request("203.0.113.9", "198.51.100.1"), proxies)).toBe("203.0.113.9");
  });

  it("is the first untrusted hop from the right behind a trusted proxy, so a made-up header cannot pick it", () => {
    expect(callerAddress(request("10.0.0.5", "198.51.100.7"), proxies)).toBe("198.51.100.7");
    expect(callerAddress(request("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.6"), proxies)).toBe("198.51.100.7");
    expect(callerAddress(request("10.0.0.5"), proxies)).toBe("10.0.0.5");
  });
});
