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
import type { Course, DemoOfficer } from "./course.ts";
import { createActionCardClient, type CardAnswer } from "./action-card-gateway.ts";
import {
  loadShell,
  lookupFormBody,
  notFoundBody,
  page,
  problemPage,
  purposeFormBody,
  renderActionCard,
  roleRefusedBody,
  signInBody,
  type Shell,
} from "./action-card-view.ts";
import { gatewayRoleFor, type GatewayTokens } from "./gateway-identity.ts";
import { officerDisplayName } from "./progress-store.ts";
import type { Sessions } from "./session.ts";
import { log } from "./log.ts";

/**
 * The printable out-of-hours action card's routes: GET /action-card/<NHS number>?purpose=…&reference=… asks the
 * gateway for `child(id, purpose) { actionCard }` as the signed-in officer and answers with the card's page. The card
 * is personal data: a signed-out visitor is asked to sign in, and an officer who has not said why is asked first.
 */

export interface ActionCardOptions {
  /** The gateway's GraphQL endpoint. */
  gatewayUrl: string;
  /** The built site: the card is shown inside the /action-card/ page's shell (header, navigation, styles). */
  siteDir: string;
  /** How long to wait for the gateway. */
  timeoutMs?: number;
  /** Who is signed in (the portal's demo sign-in cookie). */
  sessions: Sessions;
  /** The demo officers a session can name. */
  course: Pick<Course, "officerById">;
  /** Bearer tokens for the gateway; null where the portal has no way to get one (production without single sign-on). */
  gatewayTokens: GatewayTokens | null;
}

const TRY_AGAIN =
  "Try again in a minute. If it keeps failing, call the council's Emergency Duty Team for the child's plan.";

export function createActionCardRoutes(options: ActionCardOptions) {
  let shell: Promise<Shell> | undefined;
  const client = createActionCardClient({ gatewayUrl: options.gatewayUrl, timeoutMs: options.timeoutMs });

  function send(request: IncomingMessage, response: ServerResponse, status: number, html: string) {
    response.writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "content-length": String(Buffer.byteLength(html)),
      // The card holds personal data: never cache it, never leak its URL (it carries the NHS number).
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "x-robots-tag": "noindex",
    });
    response.end(request.method === "HEAD" ? undefined : html);
  }

  async function sendPage(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    title: string,
    body: string,
    layout: "card" | "column" = "column",
  ) {
    shell ??= loadShell(options.siteDir);
    // Forms and messages read best at two-thirds width, as on the form page; the card uses the whole width.
    const main =
      layout === "card"
        ? body
        : `<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">${body}</div></div>`;
    send(request, response, status, page(await shell, title, main));
  }

  function signedInOfficer(request: IncomingMessage): DemoOfficer | null {
    const id = options.sessions.officerIdFrom(request);
    return id ? (options.course.officerById(id) ?? null) : null;
  }

  const signInPage = (request: IncomingMessage, response: ServerResponse, url: URL) =>
    sendPage(
      request,
      response,
      401,
      "Sign in to see the action card",
      signInBody(`/sign-in/?return=${encodeURIComponent(`${url.pathname}${url.search}`)}`),
    );

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
    officer: DemoOfficer,
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
    const tokens = options.gatewayTokens;
    if (!tokens) {
      await sendPage(
        request,
        response,
        503,
        "Single sign-on is not set up",
        problemPage("Single sign-on to the Safeguarding Gateway is not set up", [
          `The portal has no way to sign you in to the gateway on this server, so the action card for ${nhs} cannot be shown.`,
          "Call the council's Emergency Duty Team for the child's plan, and report the fault to your service desk.",
        ]),
      );
      return;
    }
    let answer: CardAnswer;
    try {
      answer = await client.cardFor(officer, id, purpose.value, tokens);
    } catch (error) {
      log.error({ error: String(error) }, "no gateway token for the action card");
      await sendPage(
        request,
        response,
        503,
        "The portal could not sign you in to the gateway",
        problemPage("The portal could not sign you in to the Safeguarding Gateway", [
          `The action card for ${nhs} cannot be shown now.`,
          TRY_AGAIN,
        ]),
      );
      return;
    }
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
            openedBy: { officer: `${officer.rank} ${officer.name}`, purpose: purpose.value },
          }),
          "card",
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
            `The gateway refused the portal's sign-in for you, so the action card for ${nhs} cannot be shown.`,
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
            officer: officerDisplayName(officer),
            roleDescription: ROLE_DESCRIPTIONS[gatewayRoleFor(officer)],
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
      const officer = signedInOfficer(request);
      if (!officer) {
        await signInPage(request, response, url);
        return true;
      }
      if (rest) {
        let raw: string;
        try {
          raw = decodeURIComponent(rest);
        } catch {
          raw = rest;
        }
        await showCard(request, response, officer, raw, values);
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
