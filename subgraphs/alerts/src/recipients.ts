import type { AlertKind, CareTeamData, EventPerson } from "@safeguarding/shared/events";
import { isOutOfHours, rotaOnCallManager, type AlertAreaConfig, type CallOrderStep } from "./config.js";

export const REASONS = {
  socialWorker: "allocated social worker",
  dutyTeam: "no allocated social worker known: duty team",
  allocatedSince: "allocated social worker (allocated after this alert was raised)",
  edt: "out of hours: EDT",
  onCallManager: "out of hours: on-call manager",
  controlRoom: "police control room",
  policeSafeguarding: "police safeguarding",
  camhs: "CAMHS",
  escalated: (minutes: number) => `escalated: not acknowledged within ${minutes} minute${minutes === 1 ? "" : "s"}`,
} as const;

export interface Recipient {
  person: EventPerson;
  reason: string;
}

/** The child's social worker, or the area's duty team when social care has told us of none. */
function caseHolders(config: AlertAreaConfig, careTeam: CareTeamData | null): Recipient[] {
  if (careTeam?.socialWorker) return [{ person: careTeam.socialWorker, reason: REASONS.socialWorker }];
  return config.people.dutyTeam.map((person) => ({ person, reason: REASONS.dutyTeam }));
}

/** The child's named on-call manager when social care named one, else the rota's at that instant. */
export function onCallManagerFor(config: AlertAreaConfig, careTeam: CareTeamData | null, at: Date): EventPerson {
  return careTeam?.onCallManager ?? rotaOnCallManager(config, at);
}

/** One alert per person: a person named twice (the EDT worker who is also on call) keeps the first reason. */
function once(recipients: Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return recipients.filter(({ person }) => {
    const email = person.email.toLowerCase();
    if (seen.has(email)) return false;
    seen.add(email);
    return true;
  });
}

/** Who is told of an event of this kind, from the area's configuration and the child's care team (docs/ALERTS.md). */
export function recipientsFor(
  kind: AlertKind,
  config: AlertAreaConfig,
  careTeam: CareTeamData | null,
  at: Date,
): Recipient[] {
  const outOfHours = isOutOfHours(config, at);
  const edt = () => config.people.edt.map((person) => ({ person, reason: REASONS.edt }));
  const onCall = () => [{ person: onCallManagerFor(config, careTeam, at), reason: REASONS.onCallManager }];
  switch (kind) {
    case "MISSING_REPORTED":
    case "FOUND":
    case "HELD_AT_POLICE_STATION":
      return once([...caseHolders(config, careTeam), ...(outOfHours ? [...edt(), ...onCall()] : [])]);
    case "LEGAL_STATUS_CHANGED":
      return once([
        ...config.people.controlRoom.map((person) => ({ person, reason: REASONS.controlRoom })),
        ...config.people.policeSafeguarding.map((person) => ({ person, reason: REASONS.policeSafeguarding })),
      ]);
    case "PROTOCOL_OVERDUE":
      return once([...caseHolders(config, careTeam), ...(outOfHours ? onCall() : [])]);
    case "MENTAL_HEALTH_ESCALATION_DUE":
      return once([
        ...config.people.camhs.map((person) => ({ person, reason: REASONS.camhs })),
        ...caseHolders(config, careTeam),
      ]);
  }
}

/** The person a step of the call order names for this child at this instant. */
export function callOrderPerson(
  step: CallOrderStep,
  config: AlertAreaConfig,
  careTeam: CareTeamData | null,
  at: Date,
): EventPerson {
  return step === "ON_CALL_MANAGER" ? onCallManagerFor(config, careTeam, at) : config.people.seniorManager;
}

/** The protocol's rule, carried in the stored summary of HELD_AT_POLICE_STATION so nobody reads one without it. */
export const SENIOR_MANAGER_PROMPT =
  "A children's services senior manager must be told that the child is at a police station (the protocol's senior manager notification).";

export function storedSummary(kind: AlertKind, summary: string): string {
  return kind === "HELD_AT_POLICE_STATION" ? `${summary} ${SENIOR_MANAGER_PROMPT}` : summary;
}
