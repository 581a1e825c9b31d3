import type { IncomingMessage, ServerResponse } from "node:http";
import { formatNhsNumber, parseNhsNumber } from "@safeguarding/shared/nhs-number";
import { ROLE_DESCRIPTIONS } from "@safeguarding/shared/identity";
import {
  cardPath,
  formValuesFrom,
  parsePurpose,
  purposeMissing,
  type CardFormValues,
  type FieldError,
} from "./card-form.ts";
import { createActionCardClient } from "./action-card-gateway.ts";
import {
  lookupFormBody,
  notFoundBody,
  purposeFormBody,
  renderActionCard,
  roleRefusedBody,
  signInExpiredBody,
  signInHref,
} from "./action-card-view.ts";
import { createPageSender, problemPage } from "./pages.ts";
import { accessTokenUsable, type Session, type SessionStore } from "./session.ts";

/**
 * The printable out-of-hours action card's routes: GET /action-card/<NHS number>?purpose=…&reference=… asks the
 * gateway for `child(id, purpose) { actionCard }` as the signed-in officer, with the access token the identity
 * provider gave them, and answers with the card's page. The card is personal data: a signed-out visitor is sent to
 * sign in and back, and an officer who has not said why is asked first.
 */

export interface ActionCardOptions {
  /** The gateway's GraphQL endpoint. */
  gatewayUrl: string;
  /** The built site: the card is shown inside the /action-card/ page's shell (header, navigation, styles). */
  siteDir: string;
  /** How long to wait for the gateway. */
  timeoutMs?: number;
  /** Who is signed in, with their access token for the gateway. */
  sessions: Pick<SessionStore, "current">;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

const TRY_AGAIN =
  "Try again in a minute. If it keeps failing, call the council's Emergency Duty Team for the child's plan.";

export function createActionCardRoutes(options: ActionCardOptions) {
  const client = createActionCardClient({ gatewayUrl: options.gatewayUrl, timeoutMs: options.timeoutMs });
  const now = options.now ?? Date.now;
  // The card and its forms sit inside the /action-card/ page's shell, its menu item current. The card holds personal
  // data: never cached, its address (which carries the NHS number) never passed on (the sender's headers).
  const sendPage = createPageSender(options.siteDir, "action-card/index.html");

  /** Signed out: to the provider and back to this very address (with its reason), as /sign-in does. */
  function sendToSignIn(response: ServerResponse, url: URL) {
    response.writeHead(303, {
      location: signInHref(`${url.pathname}${url.search}`),
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    });
    response.end();
  }

  const lookupForm = (
    request: IncomingMessage,
    response: ServerResponse,
    values: CardFormValues,
    errors: FieldError[],
  ) => sendPage(request, response, 400, "Error: Out-of-hours action card", lookupFormBody(values, errors));

  /** The form for one child's card when the officer has not yet said why (200), or said it wrongly (400). */
  const purposeForm = (
    request: IncomingMessage,
    response: ServerResponse,
    childId: string,
    values: CardFormValues,
    errors: FieldError[] = [],
  ) =>
    sendPage(
      request,
      response,
      errors.length ? 400 : 200,
      `${errors.length ? "Error: " : ""}Why you need the action card`,
      purposeFormBody(childId, values, errors),
    );

  async function showCard(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    session: Session,
    raw: string,
    values: CardFormValues,
  ) {
    const parsed = parseNhsNumber(raw);
    if (!parsed.ok) {
      await lookupForm(request, response, { ...values, nhs: raw }, [{ field: "nhs", message: parsed.reason }]);
      return;
    }
    const id = parsed.value;
    const nhs = formatNhsNumber(id);
    if (purposeMissing(values)) {
      await purposeForm(request, response, id, values);
      return;
    }
    const purpose = parsePurpose(values);
    if (!purpose.ok) {
      await purposeForm(request, response, id, values, purpose.errors);
      return;
    }
    if (!accessTokenUsable(session, now())) {
      await sendPage(
        request,
        response,
        401,
        "Your sign-in to the gateway has expired",
        signInExpiredBody(`${url.pathname}${url.search}`, nhs),
      );
      return;
    }
    const { user } = session;
    const answer = await client.cardFor(session.accessToken, id, purpose.value);
    switch (answer.kind) {
      case "card":
        return sendPage(
          request,
          response,
          200,
          `Action card: ${answer.card.child.name}`,
          renderActionCard(answer.card, {
            warnings: answer.warnings,
            withheld: answer.withheld,
            openedBy: { officer: user.name, purpose: purpose.value },
            alerts: answer.alerts,
          }),
          { layout: "full" },
        );
      case "no-answer":
        return sendPage(
          request,
          response,
          503,
          "The gateway is not answering",
          problemPage("The Safeguarding Gateway is not answering", [
            `The gateway ${answer.reason}, so the action card for ${nhs} cannot be shown now.`,
            TRY_AGAIN,
          ]),
        );
      case "sign-in-refused":
        return sendPage(
          request,
          response,
          503,
          "The gateway did not accept your sign-in",
          problemPage("The Safeguarding Gateway did not accept your sign-in", [
            `The gateway refused your sign-in, so the action card for ${nhs} cannot be shown.`,
            "Sign out and sign in again. If it keeps failing, call the council's Emergency Duty Team for the child's plan and report the fault to your service desk.",
          ]),
        );
      case "purpose-refused":
        return purposeForm(request, response, id, values, answer.errors);
      case "child-refused":
        return lookupForm(request, response, { ...values, nhs: raw }, [{ field: "nhs", message: answer.message }]);
      case "role-refused":
        return sendPage(
          request,
          response,
          403,
          "Your role cannot see children's records",
          roleRefusedBody({
            officer: user.name,
            roleDescription: user.role ? ROLE_DESCRIPTIONS[user.role] : null,
            nhs,
            back: cardPath(id, purpose.value),
            messages: answer.messages,
          }),
        );
      case "unavailable":
        return sendPage(
          request,
          response,
          503,
          "Part of the record is not available",
          problemPage("The action card cannot be shown now", [...answer.messages, TRY_AGAIN]),
        );
      case "not-found":
        return sendPage(request, response, 404, "No record of this child", notFoundBody(nhs, { ...values, nhs: raw }));
    }
  }

  return {
    /**
     * Answers /action-card/<NHS number> and the form's /action-card/?nhs=…&purpose=…; returns false for anything
     * else, including the bare form page, which the built site serves.
     */
    async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
      const { pathname } = url;
      if (pathname !== "/action-card" && !pathname.startsWith("/action-card/")) return false;
      if (request.method !== "GET" && request.method !== "HEAD") return false;
      const rest = pathname.slice("/action-card".length).replace(/^\/+|\/+$/g, "");
      const values = formValuesFrom(url.searchParams);
      if (!rest && values.nhs === undefined) return false;
      // Showing a card is a recorded look at a child's record: only a real GET does it, never a HEAD probe.
      if (request.method === "HEAD") {
        response.writeHead(405, { allow: "GET", "cache-control": "no-store" });
        response.end();
        return true;
      }
      const session = await options.sessions.current(request);
      if (!session) {
        sendToSignIn(response, url);
        return true;
      }
      if (rest) {
        let raw: string;
        try {
          raw = decodeURIComponent(rest);
        } catch {
          raw = rest;
        }
        await showCard(request, response, url, session, raw, values);
        return true;
      }
      // The form: check everything the officer gave at once, then send them to the card's own address.
      const nhs = values.nhs ?? "";
      const parsed = parseNhsNumber(nhs);
      const purpose = purposeMissing(values) ? null : parsePurpose(values);
      const errors = [
        ...(parsed.ok ? [] : [{ field: "nhs" as const, message: parsed.reason }]),
        ...(purpose && !purpose.ok ? purpose.errors : []),
      ];
      if (!parsed.ok || (purpose && !purpose.ok)) {
        await lookupForm(request, response, values, errors);
        return true;
      }
      response.writeHead(303, {
        location: purpose ? cardPath(parsed.value, purpose.value) : `/action-card/${parsed.value}`,
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
      });
      response.end();
      return true;
    },
  };
}
