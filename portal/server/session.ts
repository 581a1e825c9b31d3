import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "portal_officer";

/** Demo identity: the chosen officer id in an HMAC-signed cookie, so it cannot be edited in the browser. */
export function createSessions(secret: string = randomBytes(32).toString("hex")) {
  const sign = (value: string) => createHmac("sha256", secret).update(value).digest("base64url");

  return {
    cookieFor(officerId: string, secure: boolean): string {
      const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=43200", ...(secure ? ["Secure"] : [])];
      return `${SESSION_COOKIE}=${officerId}.${sign(officerId)}; ${attributes.join("; ")}`;
    },

    clearCookie(): string {
      return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
    },

    /** The signed-in officer id, or null when there is no valid session cookie. */
    officerIdFrom(request: IncomingMessage): string | null {
      const header = request.headers.cookie ?? "";
      for (const part of header.split(";")) {
        const [name, ...rest] = part.trim().split("=");
        if (name !== SESSION_COOKIE) continue;
        const value = rest.join("=");
        const dot = value.lastIndexOf(".");
        if (dot <= 0) return null;
        const officerId = value.slice(0, dot);
        const given = Buffer.from(value.slice(dot + 1));
        const expected = Buffer.from(sign(officerId));
        return given.length === expected.length && timingSafeEqual(given, expected) ? officerId : null;
      }
      return null;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
