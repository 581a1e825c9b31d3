import type { IncomingMessage, ServerResponse } from "node:http";
import { signInHref } from "./action-card-view.ts";
import {
  createAlertsClient,
  NOTE_MAX_LENGTH,
  type AcknowledgeAnswer,
  type AlertsAnswer,
  type AlertsClient,
} from "./alerts-gateway.ts";
import { alertsPath, listVersion, renderAlertList, renderAlertsPage, type AcknowledgeError } from "./alerts-view.ts";
import { DEFAULT_ALERTS_POLL_MS } from "./config.ts";
import { escapeHtml } from "./html.ts";
import { log } from "./log.ts";
import { createPageSender, paragraphs, problemPage } from "./pages.ts";
import { postedFromElsewhere } from "./same-origin.ts";
import { accessTokenUsable, type Session, type SessionStore } from "./session.ts";

/**
 * "Your alerts" (issue 12): the cross-agency alerts addressed to the signed-in officer, read from the gateway as that
 * officer, like the action card.
 *
 * - `GET /alerts/` (and `/alerts`): the page, complete on the server; `?all=1` shows acknowledged alerts too.
 * - `POST /alerts/<id>/acknowledge`: a form post from the portal's own pages (note optional, at most 500 characters)
 *   → the gateway's acknowledgeAlert → 303 back to the page with a success banner, or the page with the gateway's
 *   sentence against that alert (400 / 403) and nothing else changed.
 * - `GET /alerts/stream`: server-sent events that keep an open page up to date (below).
 */

export interface AlertsOptions {
  /** The gateway's GraphQL endpoint. */
  gatewayUrl: string;
  /** The built site: the page is shown inside the /alerts/ page's shell. */
  siteDir: string;
  /** Who is signed in, with their access token for the gateway. */
  sessions: Pick<SessionStore, "current">;
  /** Where people reach the portal: an acknowledgement posted from any other origin is refused. */
  baseUrl: URL;
  /** How long to wait for the gateway. */
  timeoutMs?: number;
  /** ALERTS_POLL_MS: how often an open stream asks the gateway for the officer's alerts (2000). */
  pollMs?: number;
  /** How often an open stream sends a comment, so proxies and browsers do not drop an idle connection (15000). */
  keepAliveMs?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  /** A stand-in for the gateway client (tests). */
  client?: AlertsClient;
}

export const DEFAULT_KEEP_ALIVE_MS = 15_000;
const MAX_FORM_BYTES = 16 * 1024;

const TRY_AGAIN =
  "Try again in a minute. Alerts are also sent by email where your area has it set up; for a child at risk now, call the council's Emergency Duty Team.";

const PAGE = /^\/alerts\/?$/;
const STREAM = /^\/alerts\/stream\/?$/;
const ACKNOWLEDGE = /^\/alerts\/([^/]+)\/acknowledge\/?$/;

/** What an answer other than the alerts means, as sentences the officer can act on. */
function failureSentences(answer: Exclude<AlertsAnswer | AcknowledgeAnswer, { kind: "alerts" | "acknowledged" }>) {
  switch (answer.kind) {
    case "no-answer":
      return [`The Safeguarding Gateway ${answer.reason}.`, TRY_AGAIN];
    case "sign-in-refused":
      return [
        "The Safeguarding Gateway did not accept your sign-in.",
        "Sign out and sign in again. If it keeps failing, report the fault to your service desk.",
      ];
    case "forbidden":
      return [
        answer.message,
        "Alerts are matched to you by the verified email address your sign-in carries. If it has none, ask your service desk to add it.",
      ];
    case "unavailable":
      return [...answer.messages, TRY_AGAIN];
    case "refused":
      return [answer.message];
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return "too-large";
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
  response.end(text);
}

export function createAlertsRoutes(options: AlertsOptions) {
  const client = options.client ?? createAlertsClient({ gatewayUrl: options.gatewayUrl, timeoutMs: options.timeoutMs });
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? DEFAULT_ALERTS_POLL_MS;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  // The list is about one officer, now: never cached, its address never passed on (the sender's headers).
  const sendPage = createPageSender(options.siteDir, "alerts/index.html");

  function redirect(response: ServerResponse, location: string) {
    response.writeHead(303, { location, "cache-control": "no-store", "referrer-policy": "no-referrer" });
    response.end();
  }

  const signInExpired = (request: IncomingMessage, response: ServerResponse, back: string) =>
    sendPage(
      request,
      response,
      401,
      "Your sign-in to the gateway has expired",
      `<h1 class="govuk-heading-l">Your sign-in to the gateway has expired</h1>${paragraphs([
        "Your alerts are read from the Safeguarding Gateway as you, and your sign-in to it lasts an hour. It has run out, so nothing was asked for or changed.",
        `<a class="govuk-link" href="${escapeHtml(signInHref(back))}">Sign in again</a> and you will come straight back to your alerts.`,
      ])}`,
    );

  async function showPage(request: IncomingMessage, response: ServerResponse, url: URL, session: Session) {
    const showAll = url.searchParams.get("all") === "1";
    if (!accessTokenUsable(session, now())) return signInExpired(request, response, alertsPath(showAll));
    const answer = await client.myAlerts(session.accessToken, { unacknowledgedOnly: !showAll });
    if (answer.kind === "alerts")
      return sendPage(
        request,
        response,
        200,
        "Your alerts",
        renderAlertsPage({ alerts: answer.alerts, showAll, acknowledged: url.searchParams.has("acknowledged") }),
        { layout: "full" },
      );
    const status = answer.kind === "forbidden" ? 403 : 503;
    return sendPage(
      request,
      response,
      status,
      "Your alerts cannot be shown now",
      problemPage("Your alerts cannot be shown now", failureSentences(answer)),
    );
  }

  /** The page again with the refusal against the alert it was for; the list is read afresh, nothing else changes. */
  async function showRefusal(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    session: Session,
    showAll: boolean,
    error: AcknowledgeError,
  ) {
    const list = await client.myAlerts(session.accessToken, { unacknowledgedOnly: !showAll });
    const body =
      list.kind === "alerts"
        ? renderAlertsPage({ alerts: list.alerts, showAll, error })
        : renderAlertsPage({ alerts: null, showAll, error, problem: failureSentences(list) });
    return sendPage(request, response, status, "Error: Your alerts", body, { layout: "full" });
  }

  async function acknowledge(request: IncomingMessage, response: ServerResponse, rawId: string) {
    if (postedFromElsewhere(request, options.baseUrl.origin))
      return plain(response, 403, "Acknowledge alerts from the portal's own pages.");
    const session = await options.sessions.current(request);
    if (!session) return redirect(response, signInHref(alertsPath(false)));
    if (!/^application\/x-www-form-urlencoded\b/i.test(String(request.headers["content-type"] ?? "")))
      return plain(response, 415, "Send the acknowledgement from the form on the alerts page.");
    const form = await readForm(request);
    if (form === "too-large") return plain(response, 413, "The form is too large. Keep the note to 500 characters.");
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      return plain(response, 404, "There is no such alert. Go back to your alerts.");
    }
    const showAll = form.get("all") === "1";
    const typed = form.get("note") ?? "";
    const note = typed.trim();
    if (note.length > NOTE_MAX_LENGTH)
      return showRefusal(request, response, 400, session, showAll, {
        alertId: id,
        message: `The note must be ${NOTE_MAX_LENGTH} characters or fewer; it has ${note.length}.`,
        note: typed,
      });
    if (!accessTokenUsable(session, now())) return signInExpired(request, response, alertsPath(showAll));
    const answer = await client.acknowledge(session.accessToken, id, note || null);
    if (answer.kind === "acknowledged")
      return redirect(
        response,
        `/alerts/?${showAll ? "all=1&" : ""}acknowledged=${encodeURIComponent(answer.alert.id)}`,
      );
    const status = { refused: 400, forbidden: 403, "sign-in-refused": 503, "no-answer": 503, unavailable: 503 }[
      answer.kind
    ];
    const sentences = failureSentences(answer);
    const message =
      answer.kind === "refused" || answer.kind === "forbidden"
        ? sentences[0]
        : `The alert was not acknowledged. ${sentences.join(" ")}`;
    return showRefusal(request, response, status, session, showAll, { alertId: id, message, note: typed });
  }

  /**
   * Server-sent events that keep an open "Your alerts" page current. The portal polls the gateway for them because
   * the portal talks to the gateway only, over HTTP, as the officer (it holds no connection to the alerts service or
   * its broker, and should not: the gateway is where identity, access policy and audit are enforced), and Apollo
   * Gateway does not federate subscriptions, so there is nothing to subscribe to through it. Each open page costs
   * one small myAlerts read every ALERTS_POLL_MS, and only while the browser stays connected.
   *
   * The browser names the list it shows (`?since=`, then the Last-Event-ID header on a reconnect): a list is sent
   * only when it differs. `event: alerts` carries the list's HTML (the same rendering as the page), `event: problem`
   * a sentence while the gateway is not answering, `event: signed-out` once the session or its token is no longer
   * usable, after which the stream ends.
   */
  async function stream(request: IncomingMessage, response: ServerResponse, url: URL) {
    const showAll = url.searchParams.get("all") === "1";
    let shown = String(request.headers["last-event-id"] ?? "") || (url.searchParams.get("since") ?? "");
    let problem: string | null = null;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const inFlight = new AbortController();
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      // nginx and the like would otherwise hold events back to fill a buffer.
      "x-accel-buffering": "no",
    });
    const send = (event: string, data: unknown, id?: string) =>
      response.write(`${id ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const keepAlive = setInterval(() => response.write(": keep-alive\n\n"), keepAliveMs);
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(keepAlive);
      inFlight.abort();
    };
    // The browser has gone (page closed, navigated away, connection lost): stop asking the gateway at once.
    response.once("close", stop);
    const signedOut = () => {
      send("signed-out", { signIn: signInHref(alertsPath(showAll)) });
      stop();
      response.end();
    };

    async function poll() {
      // The session is read again every time: signing out in another tab, or the token running out, ends the stream.
      const session = await options.sessions.current(request);
      if (stopped) return;
      if (!session || !accessTokenUsable(session, now())) return signedOut();
      const answer = await client.myAlerts(session.accessToken, { unacknowledgedOnly: !showAll }, inFlight.signal);
      if (stopped) return;
      if (answer.kind === "sign-in-refused") return signedOut();
      if (answer.kind === "alerts") {
        const html = renderAlertList(answer.alerts, { showAll });
        const version = listVersion(html);
        // After a problem the list is sent even if unchanged: it tells the page the list is current again.
        if (version !== shown || problem !== null) send("alerts", { html }, version);
        shown = version;
        problem = null;
      } else {
        const sentence = `Your alerts cannot be refreshed now. ${failureSentences(answer).join(" ")}`;
        if (sentence !== problem) send("problem", { message: sentence });
        problem = sentence;
      }
    }

    const loop = async () => {
      try {
        await poll();
      } catch (error) {
        log.warn({ error: String(error) }, "alerts stream: a refresh failed");
      }
      if (!stopped) timer = setTimeout(loop, pollMs);
    };
    // A browser that lost the connection tries again after this long.
    response.write(`retry: ${Math.max(pollMs, 1000)}\n\n`);
    await loop();
  }

  return {
    /** Answers /alerts/, its acknowledgements and its stream; returns false for anything else. */
    async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
      const { pathname } = url;
      if (pathname !== "/alerts" && !pathname.startsWith("/alerts/")) return false;
      const method = request.method ?? "GET";
      const acknowledging = ACKNOWLEDGE.exec(pathname);
      if (acknowledging) {
        if (method !== "POST")
          plain(response, 405, "Acknowledge an alert with the form on the alerts page.", { allow: "POST" });
        else await acknowledge(request, response, acknowledging[1]!);
        return true;
      }
      const isPage = PAGE.test(pathname);
      const isStream = STREAM.test(pathname);
      if (!isPage && !isStream) return false;
      // Reading alerts is recorded by the alerts service ("read"): only a real GET does it, never a HEAD probe.
      if (method !== "GET") {
        plain(response, 405, "Use GET here.", { allow: "GET" });
        return true;
      }
      if (isStream) {
        await stream(request, response, url);
        return true;
      }
      const session = await options.sessions.current(request);
      if (!session) {
        redirect(response, signInHref(`${pathname}${url.search}`));
        return true;
      }
      await showPage(request, response, url, session);
      return true;
    },
  };
}
