import type { Kysely, Updateable } from "kysely";
import { createTransport } from "nodemailer";
import { NotifyClient } from "notifications-node-client";
import { appendAudit } from "@safeguarding/shared/audit";
import type { AlertKind } from "@safeguarding/shared/events";
import type { Logger } from "@safeguarding/shared/log";
import { auditedCaller, localActor } from "@safeguarding/shared/request-audit";
import { periodic } from "@safeguarding/shared/periodic";
import { SERVICE, type AlertRow } from "./alerts.js";
import type { AlertsDatabase, EmailDeliveryTable } from "./store.js";

/**
 * Email tells a person that an alert is waiting, never what it says: an inbox is not a safe place for a child's name,
 * NHS number or what happened. The message carries the kind in words and a link to the portal, where they sign in.
 */
export const KIND_IN_WORDS: Record<AlertKind, string> = {
  MISSING_REPORTED: "a child has been reported missing",
  FOUND: "a missing child has been found",
  HELD_AT_POLICE_STATION: "a child is being held at a police station",
  LEGAL_STATUS_CHANGED: "a child's legal status has changed",
  PROTOCOL_OVERDUE: "a step of the missing-from-care protocol is overdue",
  MENTAL_HEALTH_ESCALATION_DUE: "a request for a mental health assessment needs escalating",
};

export interface AlertMessage {
  to: string;
  subject: string;
  text: string;
  /** What GOV.UK Notify's template fills in: ((kind)) and ((link)). */
  personalisation: { kind: string; link: string };
  /** The alert's id, so a delivery can be traced without the message holding anything about the child. */
  reference: string;
}

export function alertMessage(alert: Pick<AlertRow, "id" | "kind" | "recipient_email">, portalBaseUrl: string) {
  const kind = KIND_IN_WORDS[alert.kind as AlertKind] ?? "something has happened that you must know about";
  const link = `${portalBaseUrl.replace(/\/+$/, "")}/alerts`;
  return {
    to: alert.recipient_email,
    subject: `Safeguarding alert: ${kind}`,
    text: [
      `You have a new safeguarding alert: ${kind}.`,
      "",
      `Sign in to read it and acknowledge it: ${link}`,
      "",
      "This email leaves out every detail of the child on purpose.",
    ].join("\n"),
    personalisation: { kind, link },
    reference: alert.id,
  } satisfies AlertMessage;
}

/** A way of sending: SMTP (nodemailer) or GOV.UK Notify. */
export interface AlertSender {
  channel: string;
  send(message: AlertMessage): Promise<void>;
  close(): void;
}

export function smtpSender(smtpUrl: string, from: string): AlertSender {
  const transport = createTransport(smtpUrl);
  return {
    channel: "smtp",
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}

/**
 * GOV.UK Notify (notifications-node-client): the template holds the wording, with ((kind)) and ((link)) placeholders.
 * Never called in tests: it needs a live API key.
 */
export function govukNotifySender(apiKey: string, templateId: string): AlertSender {
  const client = new NotifyClient(apiKey);
  return {
    channel: "govuk-notify",
    async send(message) {
      await client.sendEmail(templateId, message.to, {
        personalisation: message.personalisation,
        reference: message.reference,
      });
    },
    close: () => undefined,
  };
}

export interface NotifySettings {
  sender: AlertSender | null;
  portalBaseUrl: string;
}

/**
 * NOTIFY_API_KEY (with NOTIFY_TEMPLATE_ID) selects GOV.UK Notify; else SMTP_URL selects SMTP, from ALERTS_EMAIL_FROM;
 * neither: no email (alerts are still in the portal). PORTAL_BASE_URL is where the link points.
 */
export function notifySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NotifySettings {
  const portalBaseUrl = env.PORTAL_BASE_URL || "http://127.0.0.1:4321";
  if (env.NOTIFY_API_KEY) {
    if (!env.NOTIFY_TEMPLATE_ID) throw new Error("NOTIFY_TEMPLATE_ID must be set with NOTIFY_API_KEY.");
    return { sender: govukNotifySender(env.NOTIFY_API_KEY, env.NOTIFY_TEMPLATE_ID), portalBaseUrl };
  }
  if (env.SMTP_URL) {
    const from = env.ALERTS_EMAIL_FROM || "Safeguarding alerts <alerts@safeguarding.example>";
    return { sender: smtpSender(env.SMTP_URL, from), portalBaseUrl };
  }
  return { sender: null, portalBaseUrl };
}

export interface AlertNotifier {
  /** Whether email is configured: the alerts service records the email owed with each alert only then. */
  readonly enabled: boolean;
  /** Looks for emails due now, after a commit that recorded some; returns at once (nothing waits for a mail server). */
  nudge(): void;
  /** Resolves once nothing is due now: every email owed has been sent, given up on, or waits for its retry time. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface NotifierOptions {
  db: Kysely<AlertsDatabase>;
  settings: NotifySettings;
  log: Logger;
  /** Waits before each retry; its length is how many retries (default 3: after 2 s, 10 s and 60 s). */
  retryDelaysMs?: number[];
  /** How often it looks for emails due between nudges (default 1 s; a retry falls due with time, not a write). */
  checkMs?: number;
  now?: () => Date;
}

/** How many emails one pass sends at most; the next pass (at once, when idle() asks) takes the rest. */
const BATCH = 50;

/**
 * Sends after the commit, outside the event's transaction: a slow or broken mail server delays no alert and loses
 * none (it is in the portal either way). The email owed for each alert is a row in the store (email_deliveries),
 * written with the alert, so a failed send is retried at its time (2 s, 10 s, 60 s) even across a restart, then given
 * up on and audited as such. Each delivery is audited ("delivered"), in the transaction that marks it sent. A crash
 * between the mail server's acceptance and that commit sends it once more at the next start: at least once.
 * Written by hand over the store because the work is a query and an update per email; a job queue (BullMQ and the
 * like) would add a broker the alerts service does not otherwise need.
 */
export function createNotifier(options: NotifierOptions): AlertNotifier {
  const { db, log } = options;
  const { sender, portalBaseUrl } = options.settings;
  const delays = options.retryDelaysMs ?? [2_000, 10_000, 60_000];
  const now = options.now ?? (() => new Date());

  const audit = (trx: Kysely<AlertsDatabase>, alert: Due, operation: string, outcome: "OK" | "ERROR", after: unknown) =>
    appendAudit(trx, {
      requestId: alert.event_id,
      service: SERVICE,
      action: "WRITE",
      operation,
      ...auditedCaller(localActor(SERVICE).grant),
      childIds: [alert.child_id],
      fieldsReturned: [],
      fieldsDenied: [],
      outcome,
      after,
    });

  type Due = {
    id: string;
    kind: string;
    recipient_email: string;
    event_id: string;
    child_id: string;
    attempts: number;
  };

  /** Marks the email sent or given up on, with its audit entry, in one transaction. */
  async function settle(
    alert: Due,
    change: Updateable<EmailDeliveryTable>,
    operation: "delivered" | "not delivered",
    outcome: "OK" | "ERROR",
    detail: Record<string, unknown>,
  ): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable("email_deliveries").set(change).where("alert_id", "=", alert.id).execute();
      await audit(trx, alert, operation, outcome, { alertId: alert.id, recipient: alert.recipient_email, ...detail });
    });
  }

  async function deliver(alert: Due, channel: AlertSender): Promise<void> {
    const at = now();
    const attempts = alert.attempts + 1;
    try {
      await channel.send(alertMessage(alert, portalBaseUrl));
    } catch (error) {
      const reason = String(error);
      if (attempts > delays.length) {
        await settle(alert, { state: "GAVE_UP", attempts, last_error: reason }, "not delivered", "ERROR", {
          channel: channel.channel,
          attempts,
        });
        log.error({ alertId: alert.id, attempts, error: reason }, "alert email not sent; gave up");
        return;
      }
      await db
        .updateTable("email_deliveries")
        .set({ attempts, last_error: reason, next_at: new Date(at.getTime() + delays[attempts - 1]).toISOString() })
        .where("alert_id", "=", alert.id)
        .execute();
      log.warn({ alertId: alert.id, attempt: attempts, error: reason }, "alert email failed; retrying");
      return;
    }
    await settle(alert, { state: "SENT", attempts, sent_at: at.toISOString(), last_error: null }, "delivered", "OK", {
      channel: channel.channel,
    });
  }

  /**
   * Sends what is due now, oldest first; returns how many outcomes it recorded (sent, retry set, given up), so that
   * idle() stops when the store cannot take them rather than trying the same rows for ever.
   */
  async function pass(): Promise<number> {
    if (!sender) return 0;
    const due = await db
      .selectFrom("email_deliveries as d")
      .innerJoin("alerts as a", "a.id", "d.alert_id")
      .select(["a.id", "a.kind", "a.recipient_email", "a.event_id", "a.child_id", "d.attempts"])
      .where("d.state", "=", "WAITING")
      .where("d.next_at", "<=", now().toISOString())
      .orderBy("d.next_at")
      .limit(BATCH)
      .execute();
    let recorded = 0;
    for (const alert of due) {
      try {
        await deliver(alert, sender);
        recorded += 1;
      } catch (error) {
        // The store did not take the outcome: the row is still WAITING and is tried again next pass.
        log.error({ alertId: alert.id, error: String(error) }, "alert email outcome not recorded");
      }
    }
    return recorded;
  }

  const passes = periodic(pass, log, { event: "email-pass-failed", message: "alert email pass failed" });
  if (sender) passes.start(options.checkMs ?? 1000);

  return {
    enabled: sender !== null,
    nudge() {
      if (sender) void passes.runNow().catch(() => undefined);
    },
    async idle() {
      while ((await passes.runNow()) > 0);
    },
    async close() {
      await passes.stop();
      sender?.close();
    },
  };
}
