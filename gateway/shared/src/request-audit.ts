import type { Kysely } from "kysely";
import type { AccessGrant } from "./identity.js";
import { appendAudit, type AuditEntryInput } from "./audit.js";

/** What one request was shown and refused: the audit entry is written from this. */
export interface AccessRecord {
  childIds: Set<string>;
  fieldsReturned: Set<string>;
  fieldsDenied: Set<string>;
  /** What was searched for, when the request was a search (the terms are recorded too). */
  detail: string | null;
}

export function newAccessRecord(): AccessRecord {
  return { childIds: new Set(), fieldsReturned: new Set(), fieldsDenied: new Set(), detail: null };
}

/** The sentence every service gives when it withholds data because the access could not be recorded. */
export const AUDIT_UNAVAILABLE_MESSAGE =
  "The record cannot be shown because this access could not be recorded in the audit trail. Try again; if it keeps failing, report it with the time.";

/** Who acted and why, as every audit entry records it: from the grant the gateway asserted. */
export function auditedCaller(
  grant: AccessGrant,
): Pick<
  AuditEntryInput,
  "userId" | "userName" | "role" | "organisation" | "purposeCode" | "purposeReference" | "agreement"
> {
  const { identity, purpose } = grant;
  const role =
    grant.via === "local"
      ? "SERVICE"
      : grant.via === "protocol"
        ? `${identity.role} via protocol engine`
        : grant.via === "watch"
          ? "PROTOCOL_WATCH"
          : identity.role;
  return {
    userId: identity.userId,
    userName: identity.name,
    role,
    organisation: identity.organisation,
    purposeCode: purpose?.code ?? null,
    purposeReference: purpose?.reference ?? null,
    agreement: purpose?.agreement ?? null,
  };
}

/** Who is writing: the request's verified caller, or the service's own code (seeding, tests). */
export interface WriteActor {
  requestId: string;
  grant: AccessGrant;
  /** Set once the write's audit entry is in its transaction, so the request is not recorded twice. */
  audited: boolean;
  /** The request's access record, when there is a request: the child written about is reported to the gateway. */
  access?: AccessRecord;
}

/** The actor for writes made by the service's own code, not by a request: recorded as such. */
export function localActor(service: string): WriteActor {
  return {
    requestId: "local",
    audited: false,
    grant: {
      identity: {
        userId: `${service}-service`,
        name: `${service} service`,
        // A grant needs a role; this one is never checked against the policy (the service's own code writes
        // without a request) and the audit entry records the role as SERVICE.
        role: "AUDITOR",
        organisation: service,
        email: null,
      },
      purpose: null,
      requestId: "local",
      facts: {},
      via: "local",
    },
  };
}

export interface WriteChange {
  service: string;
  operation: string;
  childId: string;
  before: unknown;
  after: unknown;
}

/**
 * Records a write in the agency's audit trail inside the write's own transaction: who, why, which child, and the
 * values before and after. If the entry cannot be written the transaction fails and nothing changes.
 */
export async function auditWrite(trx: Kysely<any>, actor: WriteActor, change: WriteChange): Promise<void> {
  await appendAudit(trx, {
    requestId: actor.requestId,
    service: change.service,
    action: "WRITE",
    operation: change.operation,
    ...auditedCaller(actor.grant),
    childIds: [change.childId],
    fieldsReturned: [],
    fieldsDenied: [],
    outcome: "OK",
    before: change.before ?? null,
    after: change.after ?? null,
  });
  actor.audited = true;
  actor.access?.childIds.add(change.childId);
}
