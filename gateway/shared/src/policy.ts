import type { AgencyCode } from "./agencies.js";
import { compactNhsNumber } from "./nhs-number.js";
import { factsFor, type AccessGrant, type ChildFacts, type Role } from "./identity.js";

/**
 * The access policy: one table, role × type/field, with conditions. Every subgraph enforces it on every field it
 * resolves (enforce.ts), the gateway enforces it on its own fields, and docs/ACCESS.md is generated from it.
 *
 * A field not in the table falls back to its type's default; a type not in the table is refused to everyone.
 * A field that some role may not see must be nullable in the schema (a test checks), so a refusal nulls only that
 * field and the rest of the record still comes back.
 */

/**
 * The protocol engine in the gateway reads the facts its rules need on the user's behalf. It is not a user role: no
 * token can carry it, only the gateway's own assertion (`via: "protocol"`). What it derives is policy-checked again
 * against the user's own role before it is returned.
 */
export const PROTOCOL_ENGINE = "PROTOCOL_ENGINE" as const;
export type Principal = Role | typeof PROTOCOL_ENGINE;

export type Condition = "MISSING_OR_RECENTLY_FOUND" | "ALLOCATED_SOCIAL_WORKER";

/** The agency that holds the fact each condition reads: it is asked first when another agency's answer needs it. */
export const CONDITION_HOLDERS: Record<Condition, AgencyCode> = {
  MISSING_OR_RECENTLY_FOUND: "POLICE",
  ALLOCATED_SOCIAL_WORKER: "SOCIAL_CARE",
};

export const CONDITION_TEXT: Record<Condition, string> = {
  MISSING_OR_RECENTLY_FOUND:
    "while the police hold an open missing episode for the child, or found the child within the last 24 hours",
  ALLOCATED_SOCIAL_WORKER: "to the child's allocated social worker",
};

export interface Rule {
  /** Who may always see it. "ANYONE" includes callers with no token (the public glossary). */
  allow: readonly Principal[] | "ANYONE";
  /** Who may also see it when the condition holds for this child. */
  allowIf?: { condition: Condition; roles: readonly Principal[] };
  /** Why the rule is what it is: shown in docs/ACCESS.md and in the FORBIDDEN message. */
  why?: string;
}

export interface TypeRule {
  default: Rule;
  fields?: Record<string, Rule>;
}

const POLICE: Principal[] = ["CONTROL_ROOM", "RESPONSE_OFFICER", "POLICE_SAFEGUARDING"];
const SOCIAL_CARE: Principal[] = ["SOCIAL_WORKER", "EDT"];
/** Everyone who works a child's case. */
const CASE: Principal[] = [...POLICE, ...SOCIAL_CARE, "HEALTH_CAMHS", PROTOCOL_ENGINE];
/** The multi-agency professional network that meets about the child (strategy discussions, risk meetings). */
const NETWORK: Principal[] = ["POLICE_SAFEGUARDING", ...SOCIAL_CARE, "HEALTH_CAMHS", PROTOCOL_ENGINE];

/**
 * Everyone a case alert can be addressed to: the case roles who sign in themselves. Not the protocol engine (it reads
 * records, it is told nothing), not auditors or training supervisors (no case content; an alert's summary names the
 * child and what happened; auditors see alerts raised, read and acknowledged in the alerts service's audit trail).
 */
const ALERTED: Principal[] = [...POLICE, ...SOCIAL_CARE, "HEALTH_CAMHS"];
const MY_ALERTS: Rule = {
  allow: ALERTED,
  why: "Alerts carry case content and are addressed to people who work children's cases; each caller sees only alerts addressed to their own verified email.",
};

/**
 * A child's alerts nobody has acknowledged, on the record and the action card: for the case roles who see the card's
 * current risks and sign in themselves. Not the protocol engine (no rule reads alerts), nor auditors or training
 * supervisors (no case content).
 */
const CHILD_ALERTS: Rule = {
  allow: ALERTED,
  why: "Alerts not yet acknowledged say what has just happened to the child; they are for those working the child's case now.",
};

const caseRecord: TypeRule = { default: { allow: CASE } };
const networkRecord: TypeRule = {
  default: {
    allow: NETWORK,
    why: "Meeting records and follow-up work are for the professional network; the out-of-hours plan and decisions carry what the front line needs.",
  },
};

const CLINICAL: Rule = {
  allow: ["HEALTH_CAMHS"],
  allowIf: { condition: "ALLOCATED_SOCIAL_WORKER", roles: ["SOCIAL_WORKER"] },
  why: "Clinical detail is confidential health information (Caldicott principles 2–4): CAMHS and the child's own social worker only.",
};

const PLACEMENT_ADDRESS: Rule = {
  allow: SOCIAL_CARE,
  allowIf: { condition: "MISSING_OR_RECENTLY_FOUND", roles: [...POLICE, PROTOCOL_ENGINE] },
  why: "Police need the address of a child in care to take them back when found (that night too), not otherwise.",
};

const CSE_DETAIL: Rule = {
  allow: ["POLICE_SAFEGUARDING", ...SOCIAL_CARE, PROTOCOL_ENGINE],
  why: "CSE intelligence detail stays with police safeguarding and social care; the front line sees that a concern exists.",
};

const AUDIT: Rule = {
  allow: ["AUDITOR"],
  allowIf: { condition: "ALLOCATED_SOCIAL_WORKER", roles: ["SOCIAL_WORKER"] },
  why: "Who looked at a child's record is for information governance and the child's own social worker.",
};

const POLICE_WRITE: Rule = { allow: POLICE, why: "Only police roles write police records." };
const SOCIAL_CARE_WRITE: Rule = { allow: SOCIAL_CARE, why: "Only social-care roles write social-care records." };
const HEALTH_WRITE: Rule = { allow: ["HEALTH_CAMHS"], why: "Only health roles write health records." };
const PUBLIC: TypeRule = { default: { allow: "ANYONE" } };
/**
 * Which children have records the protocol must keep checking: asked by the gateway's protocol watch, which reads as
 * the protocol engine for nobody in particular (gateway/src/protocol/watch.ts). It names children, nothing more.
 */
const PROTOCOL_WATCH: Rule = {
  allow: [PROTOCOL_ENGINE],
  why: "Only the gateway's protocol watch asks which children have protocol steps that may fall due; it answers NHS numbers and nothing else.",
};

export const ACCESS_POLICY: Record<string, TypeRule> = {
  Query: {
    default: { allow: [] },
    fields: {
      child: {
        allow: CASE,
        why: "Case content is for those working with children, never for audit or training roles.",
      },
      children: { allow: CASE },
      glossaryTerm: { allow: "ANYONE", why: "The glossary holds no personal data." },
      glossarySearch: { allow: "ANYONE" },
      evaluateProtocol: {
        allow: [...CASE, "TRAINING_SUPERVISOR"],
        why: "Works on facts the caller supplies, not on stored records.",
      },
      accessLog: AUDIT,
      policeSubjects: { allow: CASE },
      policeSubjectSearch: { allow: CASE },
      socialCareSubjects: { allow: CASE },
      socialCareSubjectSearch: { allow: CASE },
      healthSubjects: { allow: CASE },
      healthSubjectSearch: { allow: CASE },
      policeProtocolWatch: PROTOCOL_WATCH,
      socialCareProtocolWatch: PROTOCOL_WATCH,
      healthProtocolWatch: PROTOCOL_WATCH,
      myAlerts: MY_ALERTS,
    },
  },
  Mutation: {
    default: { allow: [] },
    fields: {
      reportMissing: POLICE_WRITE,
      recordFound: POLICE_WRITE,
      recordSeniorManagerNotification: POLICE_WRITE,
      recordLegalStatus: SOCIAL_CARE_WRITE,
      updateOutOfHoursPlan: SOCIAL_CARE_WRITE,
      recordDecision: SOCIAL_CARE_WRITE,
      recordCareTeam: SOCIAL_CARE_WRITE,
      recordStrategyDiscussion: SOCIAL_CARE_WRITE,
      recordStrategyMinutesShared: SOCIAL_CARE_WRITE,
      recordRiskManagementMeeting: SOCIAL_CARE_WRITE,
      recordReturnInterview: SOCIAL_CARE_WRITE,
      recordCamhsReferral: HEALTH_WRITE,
      requestMentalHealthAssessment: HEALTH_WRITE,
      updateMentalHealthAssessment: HEALTH_WRITE,
      acknowledgeAlert: { ...MY_ALERTS, why: "Only the recipient of an alert acknowledges it." },
    },
  },

  // The child index (identity, in the gateway).
  Child: { default: { allow: CASE }, fields: { recentlyViewedBy: AUDIT, alerts: CHILD_ALERTS } },
  ChildSummary: caseRecord,
  AgencyIdentity: caseRecord,
  AgencySubject: caseRecord,
  Source: caseRecord,

  // Police.
  PoliceRecord: caseRecord,
  MissingEpisode: caseRecord,
  PoliceProtectionEpisode: caseRecord,
  CseConcern: { default: { allow: CASE }, fields: { summary: CSE_DETAIL, officer: CSE_DETAIL } },
  WarningMarker: {
    default: { allow: CASE },
    fields: {
      detail: {
        allow: [...POLICE, ...SOCIAL_CARE, PROTOCOL_ENGINE],
        why: "Warning markers are for officers' and the child's safety; health sees which markers exist.",
      },
    },
  },
  OfficerInCase: caseRecord,

  // Social care.
  SocialCareRecord: {
    default: { allow: CASE },
    fields: {
      strategyDiscussions: networkRecord.default,
      riskManagementMeetings: networkRecord.default,
      returnInterviews: networkRecord.default,
      education: networkRecord.default,
    },
  },
  LegalStatus: caseRecord,
  ChildProtectionPlan: caseRecord,
  Placement: { default: { allow: CASE }, fields: { address: PLACEMENT_ADDRESS } },
  CaseContact: caseRecord,
  ContactPerson: caseRecord,
  // Where to take the child is usually the placement: it follows the placement address.
  OutOfHoursPlan: { default: { allow: CASE }, fields: { returnTo: PLACEMENT_ADDRESS } },
  CaseDecision: caseRecord,
  StrategyDiscussion: networkRecord,
  MeetingAction: networkRecord,
  MeetingAttendee: networkRecord,
  IdentifiedRisk: networkRecord,
  RiskManagementMeeting: networkRecord,
  ReturnInterview: networkRecord,
  Education: networkRecord,

  // Health.
  HealthRecord: {
    default: { allow: CASE },
    fields: {
      camhsReferrals: {
        allow: NETWORK,
        why: "That a child is known to CAMHS is health information the front line does not need.",
      },
    },
  },
  GpPractice: caseRecord,
  CamhsReferral: { default: { allow: NETWORK }, fields: { reason: CLINICAL } },
  MentalHealthAssessment: { default: { allow: CASE }, fields: { reason: CLINICAL, outcomeSummary: CLINICAL } },
  EscalationRoute: caseRecord,
  EscalationStep: caseRecord,

  // The protocol engine and the action card (in the gateway).
  ChildProtocol: {
    default: { allow: CASE },
    fields: {
      dataProblems: {
        allow: NETWORK,
        why: "Data problems name meeting and return-interview records, which are for the professional network.",
      },
    },
  },
  // Also for training what-ifs (evaluateProtocol on supplied facts); real flags sit behind ChildProtocol.
  ProtocolFlag: { default: { allow: [...CASE, "TRAINING_SUPERVISOR"] } },
  ActionCard: caseRecord,
  ActionCardCall: caseRecord,
  ActionCardChild: caseRecord,
  ActionCardGuidance: caseRecord,
  ActionCardItem: caseRecord,
  ActionCardLegalStatus: caseRecord,
  ActionCardPlacement: { default: { allow: CASE }, fields: { address: PLACEMENT_ADDRESS } },
  ActionCardReturn: { default: { allow: CASE }, fields: { returnTo: PLACEMENT_ADDRESS } },
  ActionCardRisk: caseRecord,

  // The audit trail.
  AccessLogEntry: { default: AUDIT },
  AccessLogPurpose: { default: AUDIT },
  RecentView: { default: AUDIT },

  // The alerts service: what is addressed to the caller.
  Alert: { default: MY_ALERTS },
  // …and what a child's case roles see of the child's alerts nobody has acknowledged (Child.alerts).
  ChildAlert: { default: CHILD_ALERTS },
  AlertRecipient: { default: CHILD_ALERTS },

  // The glossary: public.
  GlossaryTerm: PUBLIC,
  GlossaryCode: PUBLIC,
  GlossarySource: PUBLIC,
  PoliceDuties: PUBLIC,
};

export function ruleFor(typeName: string, fieldName: string): Rule | null {
  const type = ACCESS_POLICY[typeName];
  if (!type) return null;
  return type.fields?.[fieldName] ?? type.default;
}

/** Whether the principal may see the field whatever the child's facts (no condition needed). */
export function alwaysAllowed(principal: Principal | null, rule: Rule | null): boolean {
  if (!rule) return false;
  if (rule.allow === "ANYONE") return true;
  return principal !== null && rule.allow.includes(principal);
}

export function allowedGiven(principal: Principal | null, rule: Rule | null, facts: ChildFacts): boolean {
  if (alwaysAllowed(principal, rule)) return true;
  if (!rule?.allowIf || principal === null || !rule.allowIf.roles.includes(principal)) return false;
  return rule.allowIf.condition === "MISSING_OR_RECENTLY_FOUND"
    ? facts.missingOrRecentlyFound
    : facts.allocatedSocialWorker;
}

/** The principal a grant acts as: the user's role, or the protocol engine reading on their behalf. */
export function principalOf(grant: AccessGrant | null): Principal | null {
  if (!grant) return null;
  return grant.via === "protocol" || grant.via === "watch" ? PROTOCOL_ENGINE : grant.identity.role;
}

export type Decision = { allowed: true } | { allowed: false; message: string };

const ALLOWED: Decision = { allowed: true };

/**
 * Decides one field for one request. `childId` is the child the value belongs to, needed only for conditional
 * rules; without it a condition is false (fail closed).
 */
export function decide(
  grant: AccessGrant | null,
  typeName: string,
  fieldName: string,
  childId: string | null,
): Decision {
  const rule = ruleFor(typeName, fieldName);
  const principal = principalOf(grant);
  if (grant && allowedGiven(principal, rule, factsFor(grant, childId))) return ALLOWED;
  if (!grant && alwaysAllowed(null, rule)) return ALLOWED;
  return { allowed: false, message: forbiddenMessage(principal, typeName, fieldName, rule) };
}

export function forbiddenMessage(
  principal: Principal | null,
  typeName: string,
  fieldName: string,
  rule: Rule | null,
): string {
  const who = principal ? `The ${principal} role` : "A caller with no identity";
  const field = `${typeName}.${fieldName}`;
  if (!rule) return `${who} may not see ${field}: no access rule covers it.`;
  const condition =
    rule.allowIf && principal && rule.allowIf.roles.includes(principal)
      ? ` This role sees it only ${CONDITION_TEXT[rule.allowIf.condition]}.`
      : "";
  return `${who} may not see ${field}.${condition}${rule.why ? ` ${rule.why}` : ""}`;
}

/** The child a resolved value belongs to, for conditional rules: records carry `nhsNumber`, Child carries `id`. */
export function childIdOf(typeName: string, root: unknown, args: Record<string, unknown> | undefined): string | null {
  if (root && typeof root === "object") {
    const record = root as Record<string, unknown>;
    if (typeof record.nhsNumber === "string" && record.nhsNumber.length === 10) return record.nhsNumber;
    if (typeof record.childId === "string") return record.childId;
    if (typeName === "Child" && typeof record.id === "string") return record.id;
  }
  const argument = args?.childId ?? ((typeName === "Query" || typeName === "Mutation") && args?.id);
  if (typeof argument === "string") return compactNhsNumber(argument);
  return null;
}

/**
 * Whether everyone the incoming field lets through is let through by the field too, on the same terms: always,
 * or under the same condition about the same child. Then the field's own check can only agree with its parent's.
 */
function implies(incoming: Rule | null, field: Rule | null): boolean {
  if (!incoming || !field) return false;
  if (field.allow === "ANYONE") return true;
  if (incoming.allow === "ANYONE") return false;
  const always = field.allow;
  if (!incoming.allow.every((principal) => always.includes(principal))) return false;
  const conditional = incoming.allowIf;
  if (!conditional) return true;
  return conditional.roles.every(
    (principal) =>
      always.includes(principal) ||
      (field.allowIf?.condition === conditional.condition && field.allowIf.roles.includes(principal)),
  );
}

/**
 * The fields of a schema whose decision is not already made by the field that leads to them, so the policy must be
 * checked on each: every root and entity field, every field that some field returning its type would let a caller
 * reach but that refuses that caller (or admits them on other terms), and every field of a type nothing in this
 * schema returns (it is reached through `_entities`). A field left out would admit everyone its parent admitted,
 * for the same child, so checking it again would only cost time. An unknown type has no rule: always checked.
 */
export function fieldsNeedingCheck(schema: {
  getTypeMap(): Record<string, unknown>;
  getQueryType(): { name: string } | null | undefined;
  getMutationType(): { name: string } | null | undefined;
}): Set<string> {
  type ObjectLike = { name: string; getFields(): Record<string, { name: string; type: unknown }> };
  const isObject = (t: unknown): t is ObjectLike =>
    !!t && typeof (t as ObjectLike).getFields === "function" && !(t as ObjectLike).name.startsWith("__");
  const named = (type: unknown): string => {
    let current = type as { ofType?: unknown; name?: string };
    while (current.ofType) current = current.ofType as typeof current;
    return current.name ?? "";
  };
  const types = Object.values(schema.getTypeMap()).filter(isObject);
  const incoming = new Map<string, Rule[]>();
  for (const type of types)
    for (const field of Object.values(type.getFields())) {
      const target = named(field.type);
      incoming.set(target, [...(incoming.get(target) ?? []), ruleFor(type.name, field.name)!]);
    }
  const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name]);
  const checked = new Set<string>();
  for (const type of types) {
    const leading = incoming.get(type.name) ?? [];
    for (const field of Object.values(type.getFields())) {
      const rule = ruleFor(type.name, field.name);
      const implied = !roots.has(type.name) && leading.length > 0 && leading.every((r) => implies(r, rule));
      if (!implied) checked.add(`${type.name}.${field.name}`);
    }
  }
  return checked;
}
