import type { Kysely } from "kysely";
import { createTransport } from "nodemailer";
import { NotifyClient } from "notifications-node-client";
import { appendAudit } from "@safeguarding/shared/audit";
import type { AlertKind } from "@safeguarding/shared/events";
import type { Logger } from "@safeguarding/shared/log";
import { auditedCaller, localActor } from "@safeguarding/shared/request-audit";
import { SERVICE, type AlertRow } from "./alerts.js";

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
  /** Queues an email for each alert; returns at once (handleEvent never waits for a mail server). */
  enqueue(alerts: AlertRow[]): void;
  /** Resolves when every queued email has been sent or given up on (tests, and a clean stop). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface NotifierOptions {
  db: Kysely<any>;
  settings: NotifySettings;
  log: Logger;
  /** Waits before each retry; its length is how many retries (default 3: after 2 s, 10 s and 60 s). */
  retryDelaysMs?: number[];
}

/**
 * Sends after the commit, outside the event's transaction: a slow or broken mail server delays no alert and loses
 * none (it is in the portal either way). A failed send is retried a few times, then logged and given up on. Each
 * delivery is audited ("delivered"). Retries live in memory: a restart forgets emails still waiting.
 */
export function createNotifier(options: NotifierOptions): AlertNotifier {
  const { sender, portalBaseUrl } = options.settings;
  const delays = options.retryDelaysMs ?? [2_000, 10_000, 60_000];
  const pending = new Set<Promise<void>>();
  /** Retries waiting for their time, each ended early (and given up) when the notifier closes. */
  const waiting = new Map<NodeJS.Timeout, () => void>();
  let closed = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(timer);
        resolve();
      }, ms);
      waiting.set(timer, resolve);
    });

  async function deliver(alert: AlertRow, channel: AlertSender): Promise<void> {
    const message = alertMessage(alert, portalBaseUrl);
    for (let attempt = 0; ; attempt++) {
      try {
        await channel.send(message);
        break;
      } catch (error) {
        if (closed || attempt >= delays.length) {
          options.log.error(
            { alertId: alert.id, attempts: attempt + 1, error: String(error) },
            "alert email not sent; gave up",
          );
          return;
        }
        options.log.warn(
          { alertId: alert.id, attempt: attempt + 1, error: String(error) },
          "alert email failed; retrying",
        );
        await wait(delays[attempt]);
        if (closed) {
          options.log.error({ alertId: alert.id }, "alert email not sent; the service stopped");
          return;
        }
      }
    }
    await appendAudit(options.db, {
      requestId: alert.event_id,
      service: SERVICE,
      action: "WRITE",
      operation: "delivered",
      ...auditedCaller(localActor(SERVICE).grant),
      childIds: [alert.child_id],
      fieldsReturned: [],
      fieldsDenied: [],
      outcome: "OK",
      after: { alertId: alert.id, channel: channel.channel, recipient: alert.recipient_email },
    }).catch((error: unknown) =>
      options.log.error({ alertId: alert.id, error: String(error) }, "alert email sent but not audited"),
    );
  }

  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  return {
    idle,
    enqueue(alerts) {
      if (!sender || closed) return;
      for (const alert of alerts) {
        const job = deliver(alert, sender).finally(() => pending.delete(job));
        pending.add(job);
      }
    },
    async close() {
      closed = true;
      for (const [timer, resolve] of waiting) {
        clearTimeout(timer);
        resolve();
      }
      waiting.clear();
      await idle();
      sender?.close();
    },
  };
}
