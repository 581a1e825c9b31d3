/**
 * Who is asking and why. The gateway builds an AccessGrant from a verified bearer token and the stated purpose, and
 * hands it to every subgraph inside a signed assertion (assertion.ts); each subgraph's policy checks read it.
 */

export const ROLES = [
  "CONTROL_ROOM",
  "RESPONSE_OFFICER",
  "POLICE_SAFEGUARDING",
  "SOCIAL_WORKER",
  "EDT",
  "HEALTH_CAMHS",
  "TRAINING_SUPERVISOR",
  "AUDITOR",
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  CONTROL_ROOM: "Police control room (call handlers and dispatchers)",
  RESPONSE_OFFICER: "Police response officer",
  POLICE_SAFEGUARDING: "Police safeguarding, missing persons or CSE team",
  SOCIAL_WORKER: "Children's social worker",
  EDT: "Children's services Emergency Duty Team (out of hours)",
  HEALTH_CAMHS: "Child and adolescent mental health services clinician",
  TRAINING_SUPERVISOR: "Supervises officers' training; no case access",
  AUDITOR: "Information governance auditor; sees the audit trail, no case content",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export const ACCESS_PURPOSE_CODES = [
  "MISSING_EPISODE",
  "SAFEGUARDING_ENQUIRY",
  "STRATEGY_DISCUSSION",
  "CARE_PLANNING",
  "HEALTH_ASSESSMENT",
  "EMERGENCY",
] as const;
export type AccessPurposeCode = (typeof ACCESS_PURPOSE_CODES)[number];

export const ACCESS_PURPOSE_DESCRIPTIONS: Record<AccessPurposeCode, string> = {
  MISSING_EPISODE: "Responding to or following up a missing episode (give the incident number).",
  SAFEGUARDING_ENQUIRY: "A section 47 enquiry or other safeguarding enquiry (give the case or referral number).",
  STRATEGY_DISCUSSION: "Preparing for or holding a strategy discussion (give the meeting reference).",
  CARE_PLANNING: "Planning or reviewing the child's care (give the case number).",
  HEALTH_ASSESSMENT: "A health or mental-health assessment (give the referral or assessment number).",
  EMERGENCY: "An immediate risk to the child's life or safety (give the incident number).",
};

export interface AccessPurpose {
  code: AccessPurposeCode;
  /** The incident, case or meeting number the access is for. */
  reference: string;
  /** The data-sharing agreement relied on, where one applies. */
  agreement: string | null;
}

export interface Identity {
  /** The identity provider's subject: stable, not an email address. */
  userId: string;
  name: string;
  role: Role;
  organisation: string;
  /** Used to match the user to a child's allocated social worker. */
  email: string | null;
}

/** Facts about one child, relative to the user, that the policy's conditions need and no single agency holds. */
export interface ChildFacts {
  /**
   * The police hold a missing episode for the child that is still open, or one closed within the last
   * RECENTLY_FOUND_HOURS: an officer taking her back that night still needs to know where to.
   */
  missingOrRecentlyFound: boolean;
  /** Social care records this user as the child's allocated social worker. */
  allocatedSocialWorker: boolean;
}

/** How long after a missing child is found the officers who looked for her may still see where she lives. */
export const RECENTLY_FOUND_HOURS = 24;

export const NO_FACTS: ChildFacts = { missingOrRecentlyFound: false, allocatedSocialWorker: false };

/** Everything a subgraph knows about a request's caller, as the gateway asserts it. */
export interface AccessGrant {
  identity: Identity;
  purpose: AccessPurpose | null;
  requestId: string;
  /** Per NHS number; a child with no entry has no facts (conditions fail closed). */
  facts: Record<string, ChildFacts>;
  /**
   * "protocol" when the gateway's protocol engine reads on the user's behalf; "watch" when the gateway's protocol
   * watch reads on nobody's behalf, to find the steps that have fallen overdue (gateway/src/protocol/watch.ts);
   * "local" for the service's own code (seeding, tests) writing outside any request. Null for the user's own requests.
   */
  via: "protocol" | "watch" | "local" | null;
}

export function factsFor(grant: AccessGrant, childId: string | null | undefined): ChildFacts {
  return (childId && grant.facts[childId]) || NO_FACTS;
}
