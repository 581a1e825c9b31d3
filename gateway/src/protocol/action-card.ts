import type { Glossary } from "@safeguarding/glossary";
import { readableTime, RULE_NAMES, RULE_OWNERS, type ProtocolFlag } from "@safeguarding/protocol-engine";
import { agencyDisplayName } from "@safeguarding/shared/agencies";
import { RECENTLY_FOUND_HOURS } from "@safeguarding/shared/identity";
import type { AgencyCode } from "../config.js";
import type { ChildProtocol, LiveChildRecord, SourceRef } from "./live.js";

/**
 * The out-of-hours action card: what a control room or response officer who has just found the child needs, in
 * the order they need it. Every item names the agency it comes from. The placement address is shown only while
 * police hold an open missing episode for the child, or found the child within the last RECENTLY_FOUND_HOURS.
 */

export interface CardItem {
  text: string;
  detail: string | null;
  asOf: Date;
  source: SourceRef;
}

export type RiskKind = "MISSING_NOW" | "CSE_CONCERN" | "WARNING_MARKER" | "PROTOCOL_FLAG";

export interface ActionCard {
  generatedAt: Date;
  child: {
    nhsNumber: string;
    name: string;
    knownAs: string | null;
    dateOfBirth: string;
    ageYears: number;
    asOf: Date;
    source: SourceRef;
    discrepancies: string[];
  };
  legalStatus: {
    code: string;
    name: string;
    since: Date;
    court: string | null;
    conditions: string | null;
    whoDecidesWhereChildLives: string;
    meaning: string | null;
    officerMust: string[];
    officerMustNot: string[];
    glossaryTermId: string | null;
    asOf: Date;
    source: SourceRef;
  } | null;
  whereToReturn: {
    /** The child it is about (not in the schema): the access policy's conditions need it. */
    nhsNumber: string;
    childMissing: boolean;
    missingEpisode: CardItem | null;
    /** The episode closed within the last RECENTLY_FOUND_HOURS, while police may still be taking the child back. */
    recentlyFound: CardItem | null;
    returnTo: CardItem | null;
    placement: {
      nhsNumber: string;
      name: string;
      address: string | null;
      carer: string;
      phone: string;
      asOf: Date;
      source: SourceRef;
    } | null;
    doNotReturnTo: CardItem[];
    notes: CardItem | null;
    withheld: string | null;
  };
  whoToCall: {
    order: number;
    role: string;
    name: string;
    phone: string | null;
    note: string | null;
    asOf: Date;
    source: SourceRef;
  }[];
  /** If the child will not go back: what the law allows and whom to call, from the glossary. */
  ifChildRefuses: {
    summary: string;
    officerMust: string[];
    officerMustNot: string[];
    call: string[];
    glossaryTermId: string;
  } | null;
  risks: (CardItem & { kind: RiskKind })[];
  decisions: CardItem[];
  /** What the officer records before going off shift. */
  record: string[];
  gaps: string[];
}

/** The glossary term the card's "If she refuses to go back" section is written from. */
export const REFUSAL_TERM = "police-powers-to-return-or-hold-a-child";

const PROTOCOL_SYSTEM = "Safeguarding Gateway protocol check";
const MARKERS: Record<string, string> = {
  MISSING_FROM_CARE: "Missing from care",
  CSE_RISK: "Risk of sexual exploitation",
  CRIMINAL_EXPLOITATION_RISK: "Risk of criminal exploitation",
  SELF_HARM: "Self-harm",
  MENTAL_HEALTH: "Mental health",
  VIOLENCE: "Violence",
};
const RETURNED_TO: Record<string, string> = {
  PLACEMENT: "the placement",
  FAMILY_HOME: "the family home",
  POLICE_STATION: "a police station",
  HOSPITAL: "hospital",
  OTHER: "another address",
};
const RISK_LEVELS: Record<string, string> = { VERY_LOW: "very low", LOW: "low", MEDIUM: "medium", HIGH: "high" };

const EDT = /emergency duty team|\bEDT\b/i;
const PHONE = /(?:\+44\s?|0)\d[\d ]{8,12}\d/;

const at = (value: string) => new Date(value);
const samePhone = (a: string | null, b: string | null) => !!a && !!b && a.replace(/\D/g, "") === b.replace(/\D/g, "");

export function buildActionCard(
  record: LiveChildRecord,
  protocol: ChildProtocol,
  glossary: Glossary,
  now: Date,
  /** Whether the user may see a field of the underlying records (the access policy, for this child). */
  canSee: (typeName: string, fieldName: string) => boolean = () => true,
  /** The incident, case or meeting number the officer gave for looking: the reference to quote. */
  reference: string | null = null,
): ActionCard {
  const identity = record.identity;
  if (!identity) throw new Error(`No agency that answered holds child ${record.id}.`);
  const { police, socialCare, health } = record;
  const name = identity.givenName;
  const when = (d: Date) => readableTime(d, now);
  const gaps: string[] = [];
  for (const failure of record.failed) {
    const agency = failure.agency as AgencyCode;
    const missing =
      agency === "POLICE"
        ? "whether the child is missing now, CSE concerns and warning markers"
        : agency === "SOCIAL_CARE"
          ? "the legal status, the out-of-hours plan, the on-call manager and decisions"
          : "the CAMHS crisis line";
    gaps.push(
      `The ${agencyDisplayName(agency)} service ${failure.reason}, so this card is missing ${missing}. Try again shortly.`,
    );
  }
  const main = identity.identitySources[0];

  // 2. Legal status, explained from the glossary.
  let legalStatus: ActionCard["legalStatus"] = null;
  const status = socialCare?.legalStatus;
  if (status) {
    const term =
      (status.term?.id ? glossary.byId(status.term.id) : undefined) ??
      glossary.byCode("SSDA903_LEGAL_STATUS", status.code);
    legalStatus = {
      code: status.code,
      name: term?.term ?? status.code,
      since: at(status.startedAt),
      court: status.court,
      conditions: status.conditions,
      whoDecidesWhereChildLives: status.whoDecidesWhereChildLives,
      meaning: term?.meaning ?? null,
      officerMust: term?.policeDuties.must ?? [],
      officerMustNot: term?.policeDuties.mustNot ?? [],
      glossaryTermId: term?.id ?? null,
      asOf: at(status.recordedAt),
      source: status.source,
    };
  } else if (socialCare) {
    gaps.push("Children's social care hold no legal status for this child: ask EDT who decides where the child lives.");
  }

  // 3. Where to take the child. The address is for taking a missing child back, so it is shown while an episode is
  // open and for the night after she is found, while police may still be taking her there.
  const open = police?.missingEpisodes.find((e) => !e.foundAt);
  const recent = open
    ? undefined
    : police?.missingEpisodes
        .filter((e) => e.foundAt && now.getTime() - at(e.foundAt).getTime() <= RECENTLY_FOUND_HOURS * 3600_000)
        .sort((a, b) => at(b.foundAt!).getTime() - at(a.foundAt!).getTime())[0];
  const showAddress = !!open || !!recent;
  const plan = socialCare?.outOfHoursPlan ?? null;
  const planItem = (text: string, detail: string | null = null): CardItem | null =>
    plan ? { text, detail, asOf: at(plan.updatedAt ?? plan.recordedAt), source: plan.source } : null;
  const whereToReturn: ActionCard["whereToReturn"] = {
    nhsNumber: record.id,
    childMissing: !!open,
    missingEpisode: open
      ? {
          text: `Reported missing ${when(at(open.reportedAt))}; last seen ${when(at(open.lastSeenAt))} at ${open.lastSeenLocation}.`,
          detail: `Police risk level ${RISK_LEVELS[open.riskLevel] ?? open.riskLevel}${open.cseIndicators ? "; signs of child sexual exploitation" : ""}. Episode ${open.id}.`,
          asOf: at(open.recordedAt),
          source: open.source,
        }
      : null,
    recentlyFound: recent
      ? {
          text: `Found ${when(at(recent.foundAt!))}${recent.returnedTo ? `; taken to ${RETURNED_TO[recent.returnedTo] ?? recent.returnedTo}` : ""}.`,
          detail: `Episode ${recent.id}. The placement address stays on this card for ${RECENTLY_FOUND_HOURS} hours after the child was found.`,
          asOf: at(recent.recordedAt),
          source: recent.source,
        }
      : null,
    returnTo: showAddress && plan?.returnTo ? planItem(plan.returnTo) : null,
    placement:
      showAddress && socialCare?.placement
        ? {
            nhsNumber: record.id,
            name: socialCare.placement.name,
            address: socialCare.placement.address,
            carer: socialCare.placement.carer,
            phone: socialCare.placement.phone,
            asOf: at(socialCare.placement.recordedAt),
            source: socialCare.placement.source,
          }
        : null,
    doNotReturnTo: plan ? plan.doNotReturnTo.map((text) => planItem(text)!) : [],
    notes: plan?.notes ? planItem(plan.notes) : null,
    withheld: showAddress
      ? null
      : police === undefined
        ? `Police did not answer, so it is not known whether ${name} is missing; the placement address is not shown. Ask EDT or the on-call manager where ${name} should go.`
        : `${name} is not recorded as missing or found in the last ${RECENTLY_FOUND_HOURS} hours, so the placement address is not shown. Ask EDT or the on-call manager where ${name} should go.`,
  };
  if (socialCare && !plan) gaps.push("Children's social care hold no out-of-hours plan for this child: call EDT.");

  // 4. Who to call, in order: the named on-call manager, EDT, EDT's legal-advice route, the CAMHS crisis line.
  const whoToCall: ActionCard["whoToCall"] = [];
  const call = (entry: Omit<ActionCard["whoToCall"][number], "order">) =>
    whoToCall.push({ order: whoToCall.length + 1, ...entry });
  const onCall = socialCare?.onCallManager;
  if (onCall) {
    call({
      role: "Named on-call manager",
      name: onCall.person.name,
      phone: onCall.person.phone,
      note: onCall.person.role,
      asOf: at(onCall.recordedAt),
      source: onCall.source,
    });
  } else if (socialCare) {
    gaps.push(
      "Children's social care have not named an on-call manager for this child: ask EDT who is deciding out of hours.",
    );
  }
  const edt = plan?.whoToCall.find((c) => EDT.test(`${c.name} ${c.role} ${c.team ?? ""}`));
  if (plan && edt) {
    call({
      role: "Emergency Duty Team",
      name: edt.name,
      phone: edt.phone,
      // The named manager decides, and EDT still has to know: it holds the out-of-hours record for the council.
      note: onCall ? `${edt.role}. Tell EDT as well, even once the on-call manager has decided.` : edt.role,
      asOf: at(plan.updatedAt),
      source: plan.source,
    });
  } else if (plan) {
    gaps.push("The out-of-hours plan names no Emergency Duty Team contact.");
  }
  if (plan?.legalAdviceRoute) {
    call({
      role: "EDT's legal advice",
      name: "Out-of-hours legal advice for EDT",
      phone: plan.legalAdviceRoute.match(PHONE)?.[0] ?? null,
      note: plan.legalAdviceRoute,
      asOf: at(plan.updatedAt),
      source: plan.source,
    });
  }
  const crisis = [...(health?.escalationRoute?.outOfHours ?? [])].sort((a, b) => a.position - b.position)[0];
  if (crisis) {
    const wait = crisis.escalateIfNoResponseWithinMinutes;
    call({
      role: "CAMHS crisis line",
      name: crisis.contact,
      phone: crisis.phone,
      note:
        [
          crisis.availability,
          wait ? `No useful answer within ${wait} minutes: go to the next step of the health escalation route.` : null,
        ]
          .filter(Boolean)
          .join(". ") || null,
      asOf: at(crisis.recordedAt),
      source: crisis.source,
    });
  } else if (health) {
    gaps.push("Health hold no out-of-hours escalation route for this child's area.");
  }
  for (const contact of plan?.whoToCall ?? []) {
    if (contact === edt || whoToCall.some((c) => c.name === contact.name || samePhone(c.phone, contact.phone)))
      continue;
    call({
      role: contact.role,
      name: contact.name,
      phone: contact.phone,
      note: null,
      asOf: at(plan!.updatedAt),
      source: plan!.source,
    });
  }

  // 5. Current risks: missing now, CSE, warning markers, open protocol flags.
  const risks: ActionCard["risks"] = [];
  if (open) risks.push({ kind: "MISSING_NOW", ...whereToReturn.missingEpisode! });
  for (const concern of police?.cseConcerns ?? []) {
    if (concern.status === "CLOSED") continue;
    const detailed = canSee("CseConcern", "summary") && concern.summary !== null;
    risks.push({
      kind: "CSE_CONCERN",
      text: detailed
        ? concern.summary!
        : "Child sexual exploitation concern held by police: the detail is for police safeguarding and social care.",
      detail: `Child sexual exploitation concern, ${concern.status === "UNDER_INVESTIGATION" ? "under investigation" : "monitored"} since ${when(at(concern.openedAt))}${detailed && concern.officer ? `; lead officer ${concern.officer}` : ""}.`,
      asOf: at(concern.recordedAt),
      source: concern.source,
    });
  }
  for (const marker of police?.warningMarkers ?? []) {
    risks.push({
      kind: "WARNING_MARKER",
      text:
        canSee("WarningMarker", "detail") && marker.detail !== null
          ? marker.detail
          : `Police warning marker: ${MARKERS[marker.marker] ?? marker.marker}.`,
      detail: `Warning marker: ${MARKERS[marker.marker] ?? marker.marker}.`,
      asOf: at(marker.recordedAt),
      source: marker.source,
    });
  }
  for (const flag of protocol.flags) risks.push(flagRisk(flag, protocol));

  // 6. Decisions already made that apply out of hours, newest first.
  const decisions = (socialCare?.decisions ?? [])
    .filter((d) => d.appliesOutOfHours)
    .sort((a, b) => at(b.decidedAt).getTime() - at(a.decidedAt).getTime())
    .map((d) => ({
      text: d.decision,
      detail: `Decided by ${d.decidedBy}, ${when(at(d.decidedAt))}.`,
      asOf: at(d.decidedAt),
      source: d.source,
    }));

  // 7. If she will not go back, from the glossary's account of what police may and may not do.
  const refusal = glossary.byId(REFUSAL_TERM);
  if (!refusal)
    gaps.push("The glossary has no entry on police powers to return or hold a child: ask EDT and your supervisor.");

  // 8. What to record, for the officer's notes and the next agency's.
  const episode = open ?? recent;
  const quote = [reference, episode ? `police episode ${episode.id}` : null].filter(Boolean).join(" and ");
  const toRecord = [
    `${name}'s wishes, in ${name}'s own words, and whether ${name} agreed to go.`,
    `Who decided where ${name} went, their role, and when (the on-call manager, EDT or the social worker).`,
    `Any power you used to move or keep ${name} (police protection, a recovery order, arrest), or that you used none.`,
    quote ? `The reference to quote: ${quote}.` : "The incident or case number to quote.",
  ];

  return {
    generatedAt: now,
    child: {
      nhsNumber: identity.nhsNumber,
      name: `${identity.givenName} ${identity.familyName}`,
      knownAs: identity.knownAs,
      dateOfBirth: identity.dateOfBirth,
      ageYears: identity.ageYears,
      asOf: main.recordedAt,
      source: main.source as SourceRef,
      discrepancies: identity.identityDiscrepancies,
    },
    legalStatus,
    whereToReturn,
    whoToCall,
    ifChildRefuses: refusal
      ? {
          summary: refusal.meaning,
          officerMust: refusal.policeDuties.must,
          officerMustNot: refusal.policeDuties.mustNot,
          call: refusal.policeDuties.call,
          glossaryTermId: refusal.id,
        }
      : null,
    risks,
    decisions,
    record: toRecord,
    gaps,
  };
}

function flagRisk(flag: ProtocolFlag, protocol: ChildProtocol): ActionCard["risks"][number] {
  const status = flag.status === "DUE" ? "due" : flag.status === "OVERDUE" ? "overdue" : "breached";
  return {
    kind: "PROTOCOL_FLAG",
    text: flag.reason,
    detail: `${RULE_NAMES[flag.rule]}: ${status}.`,
    asOf: protocol.evaluatedAt,
    source: {
      agency: RULE_OWNERS[flag.rule],
      system: PROTOCOL_SYSTEM,
      department: `Missing-from-care protocol (${protocol.configuration})`,
    },
  };
}
