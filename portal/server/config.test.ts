import { describe, expect, it } from "vitest";
import { portalConfigFromEnv } from "./config.ts";

describe("portalConfigFromEnv", () => {
  it("falls back to local defaults", () => {
    expect(portalConfigFromEnv({})).toEqual({
      port: 4321,
      host: "127.0.0.1",
      databaseUrl: undefined,
      sessionSecret: undefined,
      gatewayUrl: "http://127.0.0.1:4000/graphql",
    });
  });

  it("reads the port, host and PostgreSQL URL", () => {
    const config = portalConfigFromEnv({
      PORTAL_PORT: "0",
      HOST: "0.0.0.0",
      PORTAL_DATABASE_URL: "postgres://portal@db/portal",
    });
    expect(config).toMatchObject({ port: 0, host: "0.0.0.0", databaseUrl: "postgres://portal@db/portal" });
  });

  it("reads the gateway URL for the action card and refuses one that is not http", () => {
    expect(portalConfigFromEnv({ GATEWAY_URL: "http://gateway.internal:4000/graphql" }).gatewayUrl).toBe(
      "http://gateway.internal:4000/graphql",
    );
    expect(() => portalConfigFromEnv({ GATEWAY_URL: "gateway:4000" })).toThrow(/GATEWAY_URL must be an http/);
  });

  it.each(["-1", "70000", "80a"])("rejects PORTAL_PORT=%s with a sentence naming the variable", (value) => {
    expect(() => portalConfigFromEnv({ PORTAL_PORT: value })).toThrow(/PORTAL_PORT must be a whole number/);
  });
});
