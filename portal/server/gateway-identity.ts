import { loadDevIdentityProvider, type DemoUser, type DevIdentityProvider } from "@safeguarding/shared/dev-idp";
import { type Role } from "@safeguarding/shared/identity";
import type { DemoOfficer } from "./course.ts";

/**
 * Who the portal says an officer is when it asks the Safeguarding Gateway for a child's action card. The gateway
 * takes identity only from a verified bearer token, so the portal needs one per signed-in officer.
 *
 * In development the tokens come from the development identity provider whose key sits under
 * `<identityProviderDir>/keys/`, the same folder the gateway trusts when both run with one DATA_DIR. In production
 * there is no development identity provider: the portal would have to take part in the force's single sign-on and
 * exchange the officer's own sign-in for an access token to the gateway. That is not built, so main.ts gives the
 * card no token source in production and the card page says plainly that single sign-on is not configured.
 */

/** Teams whose officers the access policy treats as police safeguarding (missing persons, exploitation). */
const SAFEGUARDING_TEAMS = /\b(missing persons|child exploitation)\b/i;

/** The gateway role of a demo officer, from the role and team in course/officers.json. */
export function gatewayRoleFor(officer: DemoOfficer): Role {
  if (officer.role === "supervisor") return "TRAINING_SUPERVISOR";
  if (SAFEGUARDING_TEAMS.test(officer.team)) return "POLICE_SAFEGUARDING";
  if (/control room/i.test(officer.team)) return "CONTROL_ROOM";
  return "RESPONSE_OFFICER";
}

/** The identity a token carries for a demo officer; the gateway's audit trail records it with every read. */
export function gatewayIdentityFor(officer: DemoOfficer): DemoUser {
  return {
    id: `portal-${officer.id}`,
    name: `${officer.rank} ${officer.name}`,
    role: gatewayRoleFor(officer),
    organisation: `Avonvale Police, ${officer.team}`,
    email: `${officer.id}@avonvale.police.example`,
    note: `Demo officer ${officer.collarNumber}, signed in to the training portal.`,
  };
}

export interface GatewayTokens {
  /** A bearer token for the officer, from the cache while it has more than a minute left. */
  tokenFor(officer: DemoOfficer): Promise<string>;
  /** Drops the officer's cached token, after the gateway refused it. */
  forget(officer: DemoOfficer): void;
}

export interface DevGatewayTokenOptions {
  /** The folder whose keys/ holds the development identity provider's key (created on first use). */
  dataDir: string;
  /** How long a token lives; short, as an access token from a real provider would. */
  ttlSeconds?: number;
  /** A cached token is replaced when it has less than this left. */
  renewBeforeSeconds?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

/** Tokens from the development identity provider, cached per officer until shortly before they expire. */
export function createDevGatewayTokens(options: DevGatewayTokenOptions): GatewayTokens {
  const ttlSeconds = options.ttlSeconds ?? 15 * 60;
  const renewBeforeMs = (options.renewBeforeSeconds ?? 60) * 1000;
  const now = options.now ?? Date.now;
  let provider: Promise<DevIdentityProvider> | undefined;
  const cache = new Map<string, { token: Promise<string>; expiresAt: number }>();

  function identityProvider(): Promise<DevIdentityProvider> {
    provider ??= loadDevIdentityProvider(options.dataDir).catch((error: unknown) => {
      provider = undefined; // try again on the next request rather than fail until restart
      throw error;
    });
    return provider;
  }

  return {
    tokenFor(officer) {
      const cached = cache.get(officer.id);
      if (cached && cached.expiresAt - renewBeforeMs > now()) return cached.token;
      const expiresAt = now() + ttlSeconds * 1000;
      const token = identityProvider().then((idp) => idp.issue(gatewayIdentityFor(officer), { ttlSeconds }));
      cache.set(officer.id, { token, expiresAt });
      token.catch(() => {
        if (cache.get(officer.id)?.token === token) cache.delete(officer.id);
      });
      return token;
    },
    forget(officer) {
      cache.delete(officer.id);
    },
  };
}
