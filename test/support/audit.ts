import { join } from "node:path";
import { openAuditReader, type AuditRecord } from "@safeguarding/shared/audit";
import type { Cluster } from "./cluster.js";

export const AUDITED_SERVICES = ["gateway", "police", "social-care", "health"] as const;
export type AuditedService = (typeof AUDITED_SERVICES)[number];

export interface StoredEntry {
  seq: number;
  requestId: string;
  service: string;
  action: string;
  operation: string;
  userId: string;
  role: string;
  purposeCode: string | null;
  purposeReference: string | null;
  childIds: string[];
  fieldsReturned: string[];
  fieldsDenied: string[];
  outcome: string;
  before: unknown;
  after: unknown;
}

/** Reads one service's audit trail straight from its (SQLite) store, read-only, as an investigator would. */
export async function auditEntries(
  cluster: Cluster,
  service: AuditedService | "alerts",
  requestId?: string,
): Promise<StoredEntry[]> {
  const reader = await openAuditReader({ sqlitePath: join(cluster.dataDir, `${service}.db`) });
  if (!reader) return [];
  try {
    let query = reader.db.selectFrom("audit_log").selectAll().orderBy("seq");
    // The gateway adds its own suffix to a caller's request id ("<caller's id>.<8 hex>"); agencies use that whole id.
    if (requestId)
      query = query.where((eb) =>
        eb.or([eb("request_id", "=", requestId), eb("request_id", "like", `${requestId}.%`)]),
      );
    const rows = await query.execute();
    return rows.map((row) => ({
      seq: row.seq,
      requestId: row.request_id,
      service: row.service,
      action: row.action,
      operation: row.operation,
      userId: row.user_id,
      role: row.role,
      purposeCode: row.purpose_code,
      purposeReference: row.purpose_reference,
      childIds: JSON.parse(row.child_ids) as string[],
      fieldsReturned: JSON.parse(row.fields_returned) as string[],
      fieldsDenied: JSON.parse(row.fields_denied) as string[],
      outcome: row.outcome,
      before: row.before_json === null ? null : JSON.parse(row.before_json),
      after: row.after_json === null ? null : JSON.parse(row.after_json),
    }));
  } finally {
    await reader.close();
  }
}

/** Every entry any service holds for one request id. */
export async function entriesFor(cluster: Cluster, requestId: string): Promise<StoredEntry[]> {
  return (await Promise.all(AUDITED_SERVICES.map((s) => auditEntries(cluster, s, requestId)))).flat();
}

export type { AuditRecord };
