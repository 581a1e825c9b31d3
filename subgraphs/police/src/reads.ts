import type { Kysely } from "kysely";
import { Agency, date, recordedFields, rowsByChild } from "@safeguarding/kit";
import { RECENTLY_FOUND_HOURS, type ChildFacts } from "@safeguarding/shared/identity";
import { reusableQuery } from "@safeguarding/shared/store";
import {
  riskLevelTerm,
  type CseConcern,
  type CseConcernStatus,
  type MissingEpisode,
  MissingEpisodeStatus,
  type OfficerInCase,
  type PoliceProtectionEpisode,
  type ReturnedTo,
  type RiskLevel,
  type WarningMarker,
  type WarningMarkerType,
} from "./entities.js";
import type {
  CseConcernTable,
  MissingEpisodeTable,
  OfficerInCaseTable,
  PoliceDatabase,
  PoliceProtectionTable,
  WarningMarkerTable,
} from "./store.js";

export const POLICE_SYSTEM = "Police records management system";
const recorded = (row: { department: string; recorded_at: string; recorded_by: string }) =>
  recordedFields(row, Agency.POLICE, POLICE_SYSTEM);

export function toMissingEpisode(row: MissingEpisodeTable): MissingEpisode {
  return {
    ...recorded(row),
    id: row.id,
    status: row.found_at ? MissingEpisodeStatus.FOUND : MissingEpisodeStatus.MISSING,
    reportedAt: new Date(row.reported_at),
    reportedBy: row.reported_by,
    lastSeenAt: new Date(row.last_seen_at),
    lastSeenLocation: row.last_seen_location,
    circumstances: row.circumstances,
    riskLevel: row.risk_level as RiskLevel,
    riskLevelTerm: riskLevelTerm(row.risk_level as RiskLevel),
    cseIndicators: row.cse_indicators === 1,
    foundAt: date(row.found_at),
    foundLocation: row.found_location,
    foundBy: row.found_by,
    returnedTo: row.returned_to as ReturnedTo | null,
    heldAtPoliceStationMinutes: row.held_at_police_station_minutes,
    seniorManagerNotifiedAt: date(row.senior_manager_notified_at),
    seniorManagerNotified: row.senior_manager_notified,
    department: row.department,
  };
}

function toPoliceProtection(row: PoliceProtectionTable): PoliceProtectionEpisode {
  return {
    ...recorded(row),
    id: row.id,
    startedAt: new Date(row.started_at),
    endedAt: date(row.ended_at),
    reason: row.reason,
    initiatingOfficer: row.initiating_officer,
    designatedOfficer: row.designated_officer,
  };
}

function toCseConcern(row: CseConcernTable): CseConcern {
  return {
    ...recorded(row),
    id: row.id,
    summary: row.summary,
    status: row.status as CseConcernStatus,
    officer: row.officer,
    openedAt: new Date(row.opened_at),
  };
}

function toWarningMarker(row: WarningMarkerTable): WarningMarker {
  return {
    ...recorded(row),
    id: row.id,
    marker: row.marker as WarningMarkerType,
    detail: row.detail,
  };
}

function toOfficerInCase(row: OfficerInCaseTable): OfficerInCase {
  return {
    ...recorded(row),
    name: row.name,
    role: row.role,
    phone: row.phone,
    email: row.email,
    team: row.team,
  };
}

/** Of these children, those with an episode still open or closed since `since`: asked on every read. */
const missingOrRecentlyFound = reusableQuery({
  shape: (nhsNumbers: readonly string[], _since: string) => `missing or found ${nhsNumbers.length}`,
  build: (db, nhsNumbers, since) =>
    db
      .selectFrom("missing_episodes")
      .select("nhs_number")
      .where("nhs_number", "in", [...nhsNumbers])
      .where((eb) => eb.or([eb("found_at", "is", null), eb("found_at", ">=", since)])),
  parameters: (nhsNumbers, since) => [...nhsNumbers, since],
});

/** Everything the police read for the gateway: a child's record, table by table, and the policy's facts. */
export function createPoliceReads(db: Kysely<PoliceDatabase>) {
  /** Per-request loaders: one store query per table for however many children a gateway fetch asks for. */
  function createLoaders() {
    return {
      missingEpisodes: rowsByChild(db, "missing_episodes", {
        newestFirst: "reported_at",
        map: (rows) => rows.map(toMissingEpisode),
      }),
      policeProtection: rowsByChild(db, "police_protection", {
        newestFirst: "started_at",
        map: (rows) => rows.map(toPoliceProtection),
      }),
      cseConcerns: rowsByChild(db, "cse_concerns", { newestFirst: "opened_at", map: (rows) => rows.map(toCseConcern) }),
      warningMarkers: rowsByChild(db, "warning_markers", {
        newestFirst: "recorded_at",
        map: (rows) => rows.map(toWarningMarker),
      }),
      officerInCase: rowsByChild(db, "officers_in_case", { map: ([row]) => (row ? toOfficerInCase(row) : null) }),
    };
  }

  return {
    createLoaders,

    /** Children with a missing episode reported or closed, or police protection started, since `since`. */
    async protocolWatch(since: Date): Promise<string[]> {
      const at = since.toISOString();
      const rows = await db
        .selectFrom("missing_episodes")
        .select("nhs_number")
        .where((eb) => eb.or([eb("reported_at", ">=", at), eb("found_at", ">=", at)]))
        .union(db.selectFrom("police_protection").select("nhs_number").where("started_at", ">=", at))
        .orderBy("nhs_number")
        .execute();
      return rows.map((r) => r.nhs_number);
    },

    /**
     * Which of these children are missing now or were found within the last RECENTLY_FOUND_HOURS (for the access
     * policy's conditions).
     */
    async accessFacts(nhsNumbers: string[], now = new Date()): Promise<Map<string, Partial<ChildFacts>>> {
      const since = new Date(now.getTime() - RECENTLY_FOUND_HOURS * 3600_000).toISOString();
      const rows = (await missingOrRecentlyFound(db, nhsNumbers, since)) as { nhs_number: string }[];
      const open = new Set(rows.map((r) => r.nhs_number));
      return new Map(nhsNumbers.map((id) => [id, { missingOrRecentlyFound: open.has(id) }]));
    },
  };
}

export type PoliceLoaders = ReturnType<ReturnType<typeof createPoliceReads>["createLoaders"]>;
