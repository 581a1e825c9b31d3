import type { Agency, Source } from "./types.js";

/** Columns every recorded row carries in every agency's store. */
export interface RecordedColumns {
  department: string;
  recorded_at: string;
  recorded_by: string;
}

export interface RecordedFields {
  recordedAt: Date;
  recordedBy: string;
  source: Source;
}

export function recordedFields(row: RecordedColumns, agency: Agency, system: string): RecordedFields {
  return {
    recordedAt: new Date(row.recorded_at),
    recordedBy: row.recorded_by,
    source: { agency, system, department: row.department },
  };
}

export const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);
export const date = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);
export const jsonList = <T>(value: string | null | undefined): T[] => (value ? (JSON.parse(value) as T[]) : []);

/** Adds the recorded columns to a migration's table: one definition for every agency. */
export function withRecordedColumns<T extends { addColumn: (...args: any[]) => T }>(table: T): T {
  return table
    .addColumn("department", "text", (c: any) => c.notNull())
    .addColumn("recorded_at", "varchar(32)", (c: any) => c.notNull())
    .addColumn("recorded_by", "text", (c: any) => c.notNull());
}
