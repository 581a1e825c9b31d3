import type { Kysely } from "kysely";
import {
  codeTermName,
  requireKnownChild,
  summaryChild,
  summaryLine,
  summaryTime,
  type SubjectTable,
} from "@safeguarding/kit";
import {
  recordEvent,
  type CareTeamData,
  type EventKind,
  type EventPerson,
  type SafeguardingEvent,
} from "@safeguarding/shared/events";
import type { ContactTable, SocialCareDatabase } from "./store.js";

/**
 * The events social care's writes raise (docs/ALERTS.md), written into the outbox in the write's own transaction.
 * Summaries say who, what and when: never the order's conditions, who decides in words (it names places), the
 * placement or any clinical or CSE detail.
 */

export const socialCareSummaries = {
  legalStatusChanged: (child: SubjectTable, code: string, startedAt: Date) => {
    const name = codeTermName("SSDA903_LEGAL_STATUS", code);
    return `${summaryChild(child)}: legal status is now ${code}${name ? ` (${name})` : ""}, from ${summaryTime(startedAt)}.`;
  },
  careTeamChanged: (child: SubjectTable, socialWorker: ContactTable | null, onCallManager: ContactTable | null) => {
    const who = (contact: ContactTable | null) =>
      !contact ? "none recorded" : contact.email ? contact.name : `${contact.name} (no email recorded)`;
    return `${summaryChild(child)}: allocated social worker ${who(socialWorker)}, named on-call manager ${who(onCallManager)}.`;
  },
};

export interface SocialCareEvent {
  kind: EventKind;
  occurredAt: Date;
  summary: string;
  data: Record<string, unknown>;
}

/** The child's area comes from social care's own subject row, read in the same transaction as the write. */
export function recordSocialCareEvent(
  trx: Kysely<any>,
  child: SubjectTable,
  recordedAt: Date,
  event: SocialCareEvent,
): Promise<SafeguardingEvent> {
  return recordEvent(trx, {
    ...event,
    agency: "SOCIAL_CARE",
    childId: child.nhs_number,
    area: child.area,
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: recordedAt.toISOString(),
    summary: summaryLine(event.summary),
  });
}

/** The alerts service addresses people by email: a contact recorded without one cannot be told, so it goes as null. */
const person = (contact: ContactTable | null): EventPerson | null =>
  contact?.email ? { name: contact.name, email: contact.email } : null;

/**
 * Tells the alerts service who the child's allocated social worker and named on-call manager are, as the contacts
 * table now records them. Call it in the transaction that changed them; it happened when the newer of the two was
 * recorded.
 */
export async function recordCareTeamChanged(
  trx: Kysely<SocialCareDatabase>,
  childId: string,
  recordedAt: Date,
): Promise<SafeguardingEvent> {
  const child = await requireKnownChild(trx, childId, "children's social care");
  const contacts = await trx
    .selectFrom("contacts")
    .selectAll()
    .where("nhs_number", "=", childId)
    .where("kind", "in", ["SOCIAL_WORKER", "ON_CALL_MANAGER"])
    .execute();
  const socialWorker = contacts.find((c) => c.kind === "SOCIAL_WORKER") ?? null;
  const onCallManager = contacts.find((c) => c.kind === "ON_CALL_MANAGER") ?? null;
  const changedAt = contacts
    .map((c) => c.recorded_at)
    .sort()
    .at(-1);
  return recordSocialCareEvent(trx, child, recordedAt, {
    kind: "CARE_TEAM_CHANGED",
    occurredAt: changedAt ? new Date(changedAt) : recordedAt,
    summary: socialCareSummaries.careTeamChanged(child, socialWorker, onCallManager),
    data: { socialWorker: person(socialWorker), onCallManager: person(onCallManager) } satisfies CareTeamData,
  });
}
