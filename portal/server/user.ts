import type { Role } from "@safeguarding/shared/identity";

/**
 * Who is signed in, as the identity provider's ID token says: the portal keeps no list of its own. Progress and
 * certificates are recorded under `subject` (the token's `sub`, `demo:pc-2290` at the development provider), which
 * is also the user id the gateway's audit trail records for the action card.
 */
export interface PortalUser {
  subject: string;
  /** `preferred_username`: the user's id at the provider (`pc-2290`); shown, never trusted as a key. */
  username: string | null;
  /** `name`, printed on certificates and on the action card ("PC Tom Okafor"); the subject when the token has none. */
  name: string;
  /** `org`: the force or team. */
  organisation: string | null;
  /** The gateway role from the role claim (`sg_role`); null when the token carries none the portal knows. */
  role: Role | null;
}

/** Training supervisors see every officer's completions. */
export const isSupervisor = (user: PortalUser): boolean => user.role === "TRAINING_SUPERVISOR";
