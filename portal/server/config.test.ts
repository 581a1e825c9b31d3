import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { developmentClientSecret, portalConfigFromEnv } from "./config.ts";

const PRODUCTION = {
  NODE_ENV: "production",
  OIDC_ISSUER: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
  OIDC_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
  OIDC_CLIENT_SECRET: "from-the-secret-store",
  PORTAL_BASE_URL: "https://training.avonvale.police.example",
};

describe("portalConfigFromEnv", () => {
  it("falls back to local defaults that sign in at the development identity provider", () => {
    expect(portalConfigFromEnv({})).toEqual({
      port: 4321,
      host: "127.0.0.1",
      databaseUrl: undefined,
      gatewayUrl: "http://127.0.0.1:4000/graphql",
      alertsPollMs: 2000,
      baseUrl: "http://127.0.0.1:4321",
      oidc: {
        issuer: "http://127.0.0.1:4400",
        internalUrl: null,
        clientId: "safeguarding-portal",
        clientSecret: undefined,
        scope: "openid profile email safeguarding",
        resource: "urn:safeguarding:gateway",
        roleClaim: "sg_role",
      },
    });
  });

  it("reads the port, host and PostgreSQL URL; the base address follows the port", () => {
    const config = portalConfigFromEnv({
      PORTAL_PORT: "4555",
      HOST: "0.0.0.0",
      PORTAL_DATABASE_URL: "postgres://portal@db/portal",
    });
    expect(config).toMatchObject({
      port: 4555,
      host: "0.0.0.0",
      databaseUrl: "postgres://portal@db/portal",
      baseUrl: "http://127.0.0.1:4555",
    });
    // Port 0 is only known once listening: the server works the address out then.
    expect(portalConfigFromEnv({ PORTAL_PORT: "0" }).baseUrl).toBeUndefined();
  });

  it("reads the provider, the client and the portal's address", () => {
    const config = portalConfigFromEnv({
      OIDC_ISSUER: "https://idp.example/realms/avonvale",
      OIDC_CLIENT_ID: "portal",
      OIDC_CLIENT_SECRET: "s",
      OIDC_SCOPE: "openid profile api://gateway/access_as_user",
      OIDC_RESOURCE: "",
      OIDC_ROLE_CLAIM: "roles",
      PORTAL_BASE_URL: "https://training.example/",
    });
    expect(config.baseUrl).toBe("https://training.example");
    expect(config.oidc).toEqual({
      issuer: "https://idp.example/realms/avonvale",
      internalUrl: null,
      clientId: "portal",
      clientSecret: "s",
      scope: "openid profile api://gateway/access_as_user",
      resource: null,
      roleClaim: "roles",
    });
    expect(() => portalConfigFromEnv({ PORTAL_BASE_URL: "https://training.example/portal" })).toThrow(
      /PORTAL_BASE_URL must be the portal's address with no path/,
    );
    expect(() => portalConfigFromEnv({ OIDC_ISSUER: "idp.example" })).toThrow(/OIDC_ISSUER must be an http/);
  });

  it("reads the gateway URL for the action card and refuses one that is not http", () => {
    expect(portalConfigFromEnv({ GATEWAY_URL: "http://gateway.internal:4000/graphql" }).gatewayUrl).toBe(
      "http://gateway.internal:4000/graphql",
    );
    expect(() => portalConfigFromEnv({ GATEWAY_URL: "gateway:4000" })).toThrow(/GATEWAY_URL must be an http/);
  });

  it("reads how often an open alerts page asks the gateway, within sane bounds", () => {
    expect(portalConfigFromEnv({ ALERTS_POLL_MS: "5000" }).alertsPollMs).toBe(5000);
    for (const value of ["0", "100", "2s", "-5"])
      expect(() => portalConfigFromEnv({ ALERTS_POLL_MS: value })).toThrow(/ALERTS_POLL_MS must be a whole number/);
  });

  it.each(["-1", "70000", "80a"])("rejects PORTAL_PORT=%s with a sentence naming the variable", (value) => {
    expect(() => portalConfigFromEnv({ PORTAL_PORT: value })).toThrow(/PORTAL_PORT must be a whole number/);
  });

  it("starts in production only with the provider, the client, its secret and an https address, naming every gap", () => {
    expect(portalConfigFromEnv(PRODUCTION)).toMatchObject({
      baseUrl: "https://training.avonvale.police.example",
      oidc: {
        issuer: PRODUCTION.OIDC_ISSUER,
        clientId: PRODUCTION.OIDC_CLIENT_ID,
        clientSecret: "from-the-secret-store",
      },
    });
    expect(() => portalConfigFromEnv({ NODE_ENV: "production" })).toThrow(
      "Set OIDC_ISSUER (your organisation's OpenID Connect issuer URL), OIDC_CLIENT_ID (the portal's client id at that provider), OIDC_CLIENT_SECRET (the portal's client secret there), PORTAL_BASE_URL (the https address people reach the portal at) when NODE_ENV=production.",
    );
    expect(() => portalConfigFromEnv({ ...PRODUCTION, OIDC_CLIENT_SECRET: "" })).toThrow(/^Set OIDC_CLIENT_SECRET \(/);
    expect(() => portalConfigFromEnv({ ...PRODUCTION, PORTAL_BASE_URL: "http://training.example" })).toThrow(
      /PORTAL_BASE_URL must be an https:\/\/ URL when NODE_ENV=production/,
    );
    expect(() => portalConfigFromEnv({ ...PRODUCTION, OIDC_ISSUER: "http://login.avonvale.example" })).toThrow(
      /OIDC_ISSUER must be an https:\/\/ URL/,
    );
    // Plain http only on this machine's own address: a demonstration where browser and services share one host.
    expect(
      portalConfigFromEnv({
        ...PRODUCTION,
        OIDC_ISSUER: "http://localhost:4400",
        PORTAL_BASE_URL: "http://localhost:4321",
      }).oidc.issuer,
    ).toBe("http://localhost:4400");
  });

  it("reaches the provider at OIDC_INTERNAL_URL when browsers reach it at another address", () => {
    const config = portalConfigFromEnv({
      OIDC_ISSUER: "http://localhost:4400",
      OIDC_INTERNAL_URL: "http://identity-provider:4400/",
    });
    expect(config.oidc).toMatchObject({
      issuer: "http://localhost:4400",
      internalUrl: "http://identity-provider:4400",
    });
    expect(() => portalConfigFromEnv({ OIDC_INTERNAL_URL: "identity-provider" })).toThrow(/OIDC_INTERNAL_URL/);
  });
});

describe("developmentClientSecret", () => {
  it("reads the secret the development identity provider keeps in the shared data folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "portal-secret-"));
    try {
      const secret = await developmentClientSecret(dir, false);
      const file = JSON.parse(await readFile(join(dir, "keys", "identity-provider.secrets.json"), "utf8"));
      expect(secret).toBe(file.portalClientSecret);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is never used in production", async () => {
    await expect(developmentClientSecret("/nowhere", true)).rejects.toThrow(
      "OIDC_CLIENT_SECRET must be set when NODE_ENV=production.",
    );
  });
});
