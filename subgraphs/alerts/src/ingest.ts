import type { ServerResponse } from "node:http";
import type { JWK } from "jose";
import { BodyTooLarge, readBody, type HttpRoute } from "@safeguarding/kit";
import {
  EVENTS_SIGNATURE_HEADER,
  EventFormatError,
  parseEvent,
  verifyEventBody,
  type SafeguardingEvent,
} from "@safeguarding/shared/events";
import type { Logger } from "@safeguarding/shared/log";

export const MAX_EVENTS_BODY_BYTES = 256 * 1024;

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

const refuse = (response: ServerResponse, status: number, code: string, message: string, headers = {}) =>
  send(response, status, { error: { code, message } }, headers);

/**
 * POST /events: the embedded transport's door (no NATS_URL). The body is a JSON array of events, signed with the
 * events secret; every event is checked before any is handled, so one bad event stores nothing; 200 {accepted: n}
 * only once every event is committed (a repeat of one already handled counts as accepted: it raised its alerts the
 * first time). Not behind the gateway's assertion: the agencies' outbox relays call it directly.
 */
export function eventsRoute(options: {
  secret: JWK;
  handle: (event: SafeguardingEvent) => Promise<unknown>;
  log: Logger;
}): HttpRoute {
  return async (request, response) => {
    if (request.method !== "POST") {
      refuse(response, 405, "METHOD_NOT_ALLOWED", "POST a JSON array of events to /events.", { allow: "POST" });
      return true;
    }
    let body: string;
    try {
      body = await readBody(request, MAX_EVENTS_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      refuse(
        response,
        413,
        "PAYLOAD_TOO_LARGE",
        `The body is larger than ${MAX_EVENTS_BODY_BYTES} bytes: send fewer events at a time.`,
      );
      return true;
    }
    const signature = request.headers[EVENTS_SIGNATURE_HEADER];
    if (!verifyEventBody(options.secret, body, typeof signature === "string" ? signature : null)) {
      refuse(
        response,
        401,
        "UNAUTHENTICATED",
        `The ${EVENTS_SIGNATURE_HEADER} header is missing or does not match the body: sign it with the events secret.`,
      );
      return true;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      refuse(response, 400, "BAD_REQUEST", "The body is not valid JSON: send a JSON array of events.");
      return true;
    }
    if (!Array.isArray(raw)) {
      refuse(response, 400, "BAD_REQUEST", "The body must be a JSON array of events.");
      return true;
    }
    const events: SafeguardingEvent[] = [];
    for (const [index, value] of raw.entries()) {
      try {
        events.push(parseEvent(value));
      } catch (error) {
        if (!(error instanceof EventFormatError)) throw error;
        refuse(response, 400, "BAD_EVENT", `Event ${index}: ${error.message} No event in this body was taken.`);
        return true;
      }
    }
    for (const event of events) await options.handle(event);
    options.log.debug({ accepted: events.length }, "events accepted");
    send(response, 200, { accepted: events.length });
    return true;
  };
}
