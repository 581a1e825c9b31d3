import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Kysely } from "kysely";
import type { PortalDatabase } from "./progress-store.ts";
import type { PortalUser } from "./user.ts";

/**
 * Server-side sessions. The browser holds only a random id in an httpOnly cookie; what the session knows (who signed
 * in, their ID token for sign-out, the gateway's access token for the action card) stays in the portal's store, so
 * every portal process sharing that store sees the same sessions and a restart signs nobody out.
 *
 * The store keeps a hash of the id and the contents sealed (AES-256-GCM) with a key derived from the id itself: a
 * copy of the table, or someone reading the database, gets neither a cookie that works nor a token the gateway
 * would accept. The same mechanism holds a sign-in in progress (state, nonce and PKCE verifier) between the
 * redirect to the provider and its return to /auth/callback.
 */

export const SESSION_COOKIE = "portal_session";
/**
 * Each sign-in in progress has a cookie of its own, named after its state, so two tabs signing in at once do not
 * overwrite each other's: the provider's answer names the state, and so the cookie to read.
 */
export const signInCookieName = (state: string) =>
  `portal_sign_in_${createHash("sha256").update(state).digest("hex").slice(0, 12)}`;
/** A shift, as the development provider's own session: after it the officer signs in again. */
export const SESSION_TTL_SECONDS = 8 * 3600;
/** As long as the provider keeps its sign-in page open (oidc-provider's interaction lasts 10 minutes). */
export const SIGN_IN_TTL_SECONDS = 10 * 60;
/** The only path the sign-in cookie is sent to. */
export const CALLBACK_PATH = "/auth/callback";

/** A sign-in sent to the provider and not yet back: what /auth/callback checks the answer against. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The portal path to go back to once signed in. */
  returnTo: string;
}

export interface Session {
  user: PortalUser;
  /** For id_token_hint at sign-out; the provider accepts an expired one there. */
  idToken: string;
  /** The gateway's access token for this user: sent only to the gateway, never to the browser, never logged. */
  accessToken: string;
  /** Milliseconds since the epoch. The provider issues no refresh token: past this, the user signs in again. */
  accessTokenExpiresAt: number;
}

/**
 * A token with less than this left is not used: the card is read as the officer and must not fail half-way because
 * the token ran out in flight, or because the portal's clock is a little behind the gateway's.
 */
export const ACCESS_TOKEN_MARGIN_MS = 30_000;

/** Whether the session's access token can still be sent to the gateway. */
export const accessTokenUsable = (session: Session, now: number = Date.now()): boolean =>
  session.accessTokenExpiresAt - ACCESS_TOKEN_MARGIN_MS > now;

type Kind = "sign-in" | "session";

const hashOf = (id: string) => createHash("sha256").update(id).digest("base64url");
const keyOf = (id: string, kind: Kind) =>
  Buffer.from(hkdfSync("sha256", id, Buffer.alloc(0), `safeguarding-portal ${kind}`, 32));

function seal(id: string, kind: Kind, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(id, kind), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

function unseal<T>(id: string, kind: Kind, sealed: string): T | null {
  try {
    const raw = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", keyOf(id, kind), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as T;
  } catch {
    return null;
  }
}

/** The value of one cookie from the request, or null. */
export function cookieValue(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const equals = part.indexOf("=");
    if (equals > 0 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim() || null;
  }
  return null;
}

export interface SessionStoreOptions {
  /** Adds Secure to the cookies: the portal is served over https (PORTAL_BASE_URL). */
  secureCookies: boolean;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

export function createSessionStore(db: Kysely<PortalDatabase>, options: SessionStoreOptions) {
  const now = options.now ?? Date.now;
  // Lax, not Strict: the browser comes back from the provider on a top-level redirect, which must carry the cookies.
  const cookie = (name: string, value: string, path: string, maxAge: number) =>
    [`${name}=${value}`, `Path=${path}`, "HttpOnly", "SameSite=Lax", `Max-Age=${maxAge}`]
      .concat(options.secureCookies ? ["Secure"] : [])
      .join("; ");
  let lastPurge = 0;

  async function put(kind: Kind, value: unknown, ttlSeconds: number): Promise<string> {
    const id = randomBytes(32).toString("base64url");
    await db
      .insertInto("portal_session")
      .values({
        id_hash: hashOf(id),
        kind,
        sealed: seal(id, kind, value),
        expires_at: new Date(now() + ttlSeconds * 1000).toISOString(),
      })
      .execute();
    // Expired rows are removed now and then rather than on every request: nothing reads them (see get).
    if (now() - lastPurge > 60_000) {
      lastPurge = now();
      await db.deleteFrom("portal_session").where("expires_at", "<", new Date(now()).toISOString()).execute();
    }
    return id;
  }

  async function get<T>(kind: Kind, id: string | null): Promise<T | null> {
    if (!id) return null;
    const row = await db
      .selectFrom("portal_session")
      .select(["sealed", "expires_at"])
      .where("id_hash", "=", hashOf(id))
      .where("kind", "=", kind)
      .executeTakeFirst();
    if (!row || row.expires_at <= new Date(now()).toISOString()) return null;
    return unseal<T>(id, kind, row.sealed);
  }

  const remove = (id: string | null) =>
    id ? db.deleteFrom("portal_session").where("id_hash", "=", hashOf(id)).execute() : Promise.resolve();

  return {
    /** Stores a sign-in on its way to the provider; the answer is the cookie that ties the browser to it. */
    async beginSignIn(pending: PendingSignIn): Promise<string> {
      const id = await put("sign-in", pending, SIGN_IN_TTL_SECONDS);
      return cookie(signInCookieName(pending.state), id, CALLBACK_PATH, SIGN_IN_TTL_SECONDS);
    },

    /**
     * The browser's sign-in with this state, removed as it is read: a callback can be answered once only. The state
     * only picks the cookie; the sign-in found is still checked against the provider's answer.
     */
    async takeSignIn(request: IncomingMessage, state: string | null): Promise<PendingSignIn | null> {
      if (!state) return null;
      const id = cookieValue(request, signInCookieName(state));
      const pending = await get<PendingSignIn>("sign-in", id);
      await remove(id);
      return pending;
    },

    clearSignInCookie: (state: string) => cookie(signInCookieName(state), "", CALLBACK_PATH, 0),

    /**
     * Starts a session and answers with its cookie. A new id every time, and any session the browser already had
     * is ended: an id planted in the browser before sign-in never becomes a signed-in one.
     */
    async create(session: Session, request: IncomingMessage): Promise<string> {
      await remove(cookieValue(request, SESSION_COOKIE));
      const id = await put("session", session, SESSION_TTL_SECONDS);
      return cookie(SESSION_COOKIE, id, "/", SESSION_TTL_SECONDS);
    },

    /** The browser's session, or null when it has none, it has expired or it was ended. */
    current: (request: IncomingMessage): Promise<Session | null> =>
      get<Session>("session", cookieValue(request, SESSION_COOKIE)),

    /** Ends the browser's session and answers with what it held (for sign-out at the provider), or null. */
    async end(request: IncomingMessage): Promise<Session | null> {
      const id = cookieValue(request, SESSION_COOKIE);
      const session = await get<Session>("session", id);
      await remove(id);
      return session;
    },

    clearCookie: () => cookie(SESSION_COOKIE, "", "/", 0),
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
