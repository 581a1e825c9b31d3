import type { Role } from "./identity.js";

/**
 * The demo users: invented people, at least one per role, who sign in through the development identity provider
 * (gateway/identity-provider) to the gateway and the training portal alike. One list: the portal's officers are
 * here too, so their quiz records and the gateway's audit trail name the same people.
 */

/** The audience of access tokens for the gateway: what the identity provider puts in `aud` and AUTH_AUDIENCE expects. */
export const GATEWAY_AUDIENCE = "safeguarding-gateway";
/** The one claim the gateway trusts for the role; roles anywhere else in a token are ignored. */
export const DEFAULT_ROLE_CLAIM = "sg_role";

export interface DemoUser {
  /** What you type (`npm run token -- --user control-room`) and pick on the sign-in page; the subject is `demo:<id>`. */
  id: string;
  name: string;
  role: Role;
  organisation: string;
  email: string;
  note: string;
}

/** Invented people. The social worker is the one allocated to the demo child 999 000 0018. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: "control-room",
    name: "Priya Natt",
    role: "CONTROL_ROOM",
    organisation: "Avonvale Police, Force Control Room",
    email: "priya.natt@avonvale.police.example",
    note: "Call handler: identity, legal status and duties, out-of-hours plan, contacts, current risks.",
  },
  {
    id: "response-officer",
    name: "PC Daniel Okafor",
    role: "RESPONSE_OFFICER",
    organisation: "Avonvale Police, North Response",
    email: "daniel.okafor@avonvale.police.example",
    note: "As control room; the placement address only while the child is missing.",
  },
  {
    id: "police-safeguarding",
    name: "DS Helen Crane",
    role: "POLICE_SAFEGUARDING",
    organisation: "Avonvale Police, Missing and Exploited Children Team",
    email: "helen.crane@avonvale.police.example",
    note: "Adds CSE detail, meetings and return interviews; no clinical detail.",
  },
  {
    id: "social-worker",
    name: "Leah Marsh",
    role: "SOCIAL_WORKER",
    organisation: "North Avonvale Council, Children's Services",
    email: "leah.marsh@avonvale.gov.example",
    note: "Allocated social worker of the demo child 999 000 0018: sees clinical detail and the access log.",
  },
  {
    id: "social-worker-unallocated",
    name: "Sam Okoro",
    role: "SOCIAL_WORKER",
    organisation: "North Avonvale Council, Children's Services",
    email: "sam.okoro@avonvale.gov.example",
    note: "A social worker not allocated to the demo child: no clinical detail, no access log.",
  },
  {
    id: "edt",
    name: "Chris Doyle",
    role: "EDT",
    organisation: "Avonvale Emergency Duty Team",
    email: "chris.doyle@avonvale.gov.example",
    note: "Out-of-hours social care: the whole social-care record.",
  },
  {
    id: "on-call-manager",
    name: "Fiona Castell",
    role: "SOCIAL_WORKER",
    organisation: "North Avonvale Council, Children's Services",
    email: "fiona.castell@avonvale.gov.example",
    note: "Service manager, the demo children's named on-call manager and on this week's on-call rota: out-of-hours alerts and the first step of escalation.",
  },
  {
    id: "senior-manager",
    name: "Graham Pell",
    role: "SOCIAL_WORKER",
    organisation: "North Avonvale Council, Children's Services",
    email: "graham.pell@avonvale.gov.example",
    note: "Head of service: the last step of alert escalation, and told when a child is held at a police station.",
  },
  {
    id: "camhs",
    name: "Dr Nadia Rahman",
    role: "HEALTH_CAMHS",
    organisation: "Avonvale CAMHS",
    email: "nadia.rahman@avonvale.nhs.example",
    note: "Clinical detail; no placement address.",
  },
  {
    id: "training-supervisor",
    name: "Insp. Mark Ellison",
    role: "TRAINING_SUPERVISOR",
    organisation: "Avonvale Police, Learning and Development",
    email: "mark.ellison@avonvale.police.example",
    note: "Training records and the glossary; no case content.",
  },
  {
    id: "auditor",
    name: "Fiona Grant",
    role: "AUDITOR",
    organisation: "Avonvale Police, Information Management",
    email: "fiona.grant@avonvale.police.example",
    note: "The access log of any child; no case content.",
  },
  // The training portal's officers: their progress and certificates are recorded under these users' subjects (the
  // portal's store moved what it kept under these same ids before one sign-in). Roles follow their teams; the two
  // supervisors oversee training.
  {
    id: "pc-4127",
    name: "PC Amira Haddad",
    role: "RESPONSE_OFFICER",
    organisation: "Avonvale Police, Response, North sector",
    email: "amira.haddad@avonvale.police.example",
    note: "Training portal officer, collar 4127.",
  },
  {
    id: "pc-2290",
    name: "PC Tom Okafor",
    role: "POLICE_SAFEGUARDING",
    organisation: "Avonvale Police, Missing persons unit",
    email: "tom.okafor@avonvale.police.example",
    note: "Training portal officer, collar 2290.",
  },
  {
    id: "dc-3318",
    name: "DC Priya Nair",
    role: "POLICE_SAFEGUARDING",
    organisation: "Avonvale Police, Child exploitation team",
    email: "priya.nair@avonvale.police.example",
    note: "Training portal officer, collar 3318.",
  },
  {
    id: "pc-5062",
    name: "PC Rhys Llewellyn",
    role: "CONTROL_ROOM",
    organisation: "Avonvale Police, Force control room",
    email: "rhys.llewellyn@avonvale.police.example",
    note: "Training portal officer, collar 5062.",
  },
  {
    id: "ps-1102",
    name: "PS Gareth Moss",
    role: "TRAINING_SUPERVISOR",
    organisation: "Avonvale Police, Response, North sector",
    email: "gareth.moss@avonvale.police.example",
    note: "Training portal supervisor, collar 1102: sees the training records of the officers.",
  },
  {
    id: "insp-0871",
    name: "Insp Joanne Whitfield",
    role: "TRAINING_SUPERVISOR",
    organisation: "Avonvale Police, Safeguarding hub",
    email: "joanne.whitfield@avonvale.police.example",
    note: "Training portal supervisor, collar 0871: sees the training records of the officers.",
  },
];

export function findDemoUser(id: string): DemoUser | undefined {
  return DEMO_USERS.find((user) => user.id === id);
}

/** The subject (`sub`) of a demo user's tokens. */
export function demoSubject(user: DemoUser): string {
  return `demo:${user.id}`;
}

/** The claims a demo user's access token to the gateway carries (besides iss, aud, sub and the times). */
export function demoUserClaims(user: DemoUser): Record<string, unknown> {
  return {
    name: user.name,
    preferred_username: user.id,
    email: user.email,
    email_verified: true,
    org: user.organisation,
    [DEFAULT_ROLE_CLAIM]: user.role,
  };
}
