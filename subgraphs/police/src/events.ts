import type { Kysely } from "kysely";
import { summaryChild, summaryLine, summaryTime, type SubjectTable } from "@safeguarding/kit";
import { recordEvent, type EventKind, type SafeguardingEvent } from "@safeguarding/shared/events";
import type { ReturnedTo, RiskLevel } from "./entities.js";

/**
 * The events the police's writes raise (docs/ALERTS.md), written into the outbox in the write's own transaction.
 * Summaries say who, what and when: never the circumstances, CSE indicators or where the child was found.
 */

const RISK = (level: RiskLevel) => level.toLowerCase().replace("_", " ");

const TAKEN_TO: Record<ReturnedTo, string> = {
  PLACEMENT: "returned to their placement",
  FAMILY_HOME: "returned to the family home",
  POLICE_STATION: "taken to a police station",
  HOSPITAL: "taken to hospital",
  OTHER: "taken somewhere other than home, placement, hospital or a police station",
};

export const policeSummaries = {
  missingReported: (child: SubjectTable, reportedAt: Date, riskLevel: RiskLevel) =>
    `${summaryChild(child)} reported missing to police at ${summaryTime(reportedAt)}, risk ${RISK(riskLevel)}.`,
  found: (child: SubjectTable, foundAt: Date, returnedTo: ReturnedTo) =>
    `${summaryChild(child)} found at ${summaryTime(foundAt)} and ${TAKEN_TO[returnedTo]}.`,
  heldAtPoliceStation: (child: SubjectTable, foundAt: Date) =>
    `${summaryChild(child)} taken to a police station after being found at ${summaryTime(foundAt)}: a police ` +
    "station is not suitable accommodation; the protocol requires a senior manager to be told.",
};

export interface PoliceEvent {
  kind: EventKind;
  occurredAt: Date;
  summary: string;
  data: Record<string, unknown>;
}

/** The child's area comes from the police's own subject row, read in the same transaction as the write. */
export function recordPoliceEvent(
  trx: Kysely<any>,
  child: SubjectTable,
  recordedAt: Date,
  event: PoliceEvent,
): Promise<SafeguardingEvent> {
  return recordEvent(trx, {
    ...event,
    agency: "POLICE",
    childId: child.nhs_number,
    area: child.area,
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: recordedAt.toISOString(),
    summary: summaryLine(event.summary),
  });
}
