import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import {
  badInput,
  childIdArgument,
  requireKnownChild,
  notBefore,
  notInFuture,
  optionalText,
  requiredText,
} from "@safeguarding/kit";
import { auditWrite, localActor, type WriteActor } from "@safeguarding/shared/request-audit";
import type { MissingEpisode, ReturnedTo, RiskLevel } from "./entities.js";
import { policeSummaries, recordPoliceEvent } from "./events.js";
import { toMissingEpisode } from "./reads.js";
import type { MissingEpisodeTable, PoliceDatabase } from "./store.js";

export interface ReportMissing {
  childId: string;
  reportedAt: Date;
  reportedBy: string;
  lastSeenAt: Date;
  lastSeenLocation: string;
  circumstances?: string | null;
  riskLevel: RiskLevel;
  cseIndicators: boolean;
  department: string;
}

export interface RecordFound {
  episodeId: string;
  foundAt: Date;
  foundLocation: string;
  foundBy: string;
  returnedTo: ReturnedTo;
  heldAtPoliceStationMinutes?: number | null;
  cseIndicators?: boolean | null;
  riskLevel?: RiskLevel | null;
}

export interface RecordSeniorManagerNotification {
  episodeId: string;
  notifiedAt: Date;
  seniorManager: string;
  recordedBy: string;
}

const MAX_HELD_MINUTES = 7 * 24 * 60;

async function findEpisode(db: Kysely<PoliceDatabase>, id: string): Promise<MissingEpisodeTable> {
  const row = await db.selectFrom("missing_episodes").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw badInput(`No missing episode has id ${id}: check the id.`, "episodeId");
  return row;
}

/**
 * Every write the police accept: each checks its input before touching the store, and records its audit entry (with
 * the values before and after) and the events it raises for the alerts service (events.ts) in the same transaction
 * as the change, so none lands without the others.
 */
export function createPoliceCommands(db: Kysely<PoliceDatabase>, now: () => Date = () => new Date()) {
  return {
    async reportMissing(input: ReportMissing, actor: WriteActor = localActor("police")): Promise<MissingEpisode> {
      const at = now();
      const childId = childIdArgument(input.childId);
      const reportedBy = requiredText("reportedBy", input.reportedBy, 200);
      const lastSeenLocation = requiredText("lastSeenLocation", input.lastSeenLocation, 500);
      const circumstances = optionalText("circumstances", input.circumstances);
      const department = requiredText("department", input.department, 200);
      notInFuture("reportedAt", input.reportedAt, at);
      notInFuture("lastSeenAt", input.lastSeenAt, at);
      notBefore("reportedAt", input.reportedAt, "lastSeenAt", input.lastSeenAt);
      return db.transaction().execute(async (trx) => {
        const child = await requireKnownChild(trx, childId, "police records");
        const open = await trx
          .selectFrom("missing_episodes")
          .select("id")
          .where("nhs_number", "=", childId)
          .where("found_at", "is", null)
          .executeTakeFirst();
        if (open) {
          throw badInput(
            `This child is already reported missing (episode ${open.id}): record them found before reporting a new episode.`,
            "childId",
          );
        }
        const row: MissingEpisodeTable = {
          id: randomUUID(),
          nhs_number: childId,
          reported_at: input.reportedAt.toISOString(),
          reported_by: reportedBy,
          last_seen_at: input.lastSeenAt.toISOString(),
          last_seen_location: lastSeenLocation,
          circumstances,
          risk_level: input.riskLevel,
          cse_indicators: input.cseIndicators ? 1 : 0,
          found_at: null,
          found_location: null,
          found_by: null,
          returned_to: null,
          held_at_police_station_minutes: null,
          senior_manager_notified_at: null,
          senior_manager_notified: null,
          department,
          recorded_at: at.toISOString(),
          recorded_by: reportedBy,
        };
        await trx.insertInto("missing_episodes").values(row).execute();
        await auditWrite(trx, actor, {
          service: "police",
          operation: "reportMissing",
          childId,
          before: null,
          after: row,
        });
        await recordPoliceEvent(trx, child, at, {
          kind: "MISSING_REPORTED",
          occurredAt: input.reportedAt,
          summary: policeSummaries.missingReported(child, input.reportedAt, input.riskLevel),
          data: { episodeId: row.id, riskLevel: row.risk_level },
        });
        return toMissingEpisode(row);
      });
    },

    async recordFound(input: RecordFound, actor: WriteActor = localActor("police")): Promise<MissingEpisode> {
      const at = now();
      const foundLocation = requiredText("foundLocation", input.foundLocation, 500);
      const foundBy = requiredText("foundBy", input.foundBy, 200);
      notInFuture("foundAt", input.foundAt, at);
      const held = input.heldAtPoliceStationMinutes ?? null;
      if (held !== null && (held < 0 || held > MAX_HELD_MINUTES)) {
        throw badInput(
          `heldAtPoliceStationMinutes must be between 0 and ${MAX_HELD_MINUTES}.`,
          "heldAtPoliceStationMinutes",
        );
      }
      if (held !== null && input.returnedTo !== "POLICE_STATION") {
        throw badInput(
          "heldAtPoliceStationMinutes applies only when returnedTo is POLICE_STATION.",
          "heldAtPoliceStationMinutes",
        );
      }
      if (held !== null && input.foundAt.getTime() + held * 60_000 > at.getTime() + 5 * 60_000) {
        throw badInput(
          `heldAtPoliceStationMinutes (${held}) is longer than the time since the child was found: give the minutes actually spent there.`,
          "heldAtPoliceStationMinutes",
        );
      }
      return db.transaction().execute(async (trx) => {
        const current = await findEpisode(trx, input.episodeId);
        if (current.found_at) {
          throw badInput(
            `Missing episode ${current.id} was already closed: the child was found at ${current.found_at}.`,
            "episodeId",
          );
        }
        notBefore("foundAt", input.foundAt, "the time the child was reported missing", new Date(current.reported_at));
        const update = {
          found_at: input.foundAt.toISOString(),
          found_location: foundLocation,
          found_by: foundBy,
          returned_to: input.returnedTo,
          held_at_police_station_minutes: held,
          cse_indicators: input.cseIndicators === true ? 1 : current.cse_indicators,
          risk_level: input.riskLevel ?? current.risk_level,
          recorded_at: at.toISOString(),
          recorded_by: foundBy,
        };
        await trx.updateTable("missing_episodes").set(update).where("id", "=", current.id).execute();
        await auditWrite(trx, actor, {
          service: "police",
          operation: "recordFound",
          childId: current.nhs_number,
          before: current,
          after: { ...current, ...update },
        });
        const child = await requireKnownChild(trx, current.nhs_number, "police records");
        await recordPoliceEvent(trx, child, at, {
          kind: "FOUND",
          occurredAt: input.foundAt,
          summary: policeSummaries.found(child, input.foundAt, input.returnedTo),
          data: { episodeId: current.id, returnedTo: input.returnedTo },
        });
        if (input.returnedTo === "POLICE_STATION") {
          await recordPoliceEvent(trx, child, at, {
            kind: "HELD_AT_POLICE_STATION",
            occurredAt: input.foundAt,
            summary: policeSummaries.heldAtPoliceStation(child, input.foundAt),
            data: { episodeId: current.id },
          });
        }
        return toMissingEpisode({ ...current, ...update });
      });
    },

    async recordSeniorManagerNotification(
      input: RecordSeniorManagerNotification,
      actor: WriteActor = localActor("police"),
    ): Promise<MissingEpisode> {
      const at = now();
      const seniorManager = requiredText("seniorManager", input.seniorManager, 200);
      const recordedBy = requiredText("recordedBy", input.recordedBy, 200);
      notInFuture("notifiedAt", input.notifiedAt, at);
      return db.transaction().execute(async (trx) => {
        const current = await findEpisode(trx, input.episodeId);
        if (current.returned_to !== "POLICE_STATION" || !current.found_at) {
          throw badInput(
            `Missing episode ${current.id} did not end at a police station: no senior-manager notification is needed.`,
            "episodeId",
          );
        }
        if (current.senior_manager_notified_at) {
          throw badInput(
            `A senior manager was already recorded as told about episode ${current.id} (${current.senior_manager_notified}, ${current.senior_manager_notified_at}).`,
            "episodeId",
          );
        }
        notBefore("notifiedAt", input.notifiedAt, "the time the child was found", new Date(current.found_at));
        const update = {
          senior_manager_notified_at: input.notifiedAt.toISOString(),
          senior_manager_notified: seniorManager,
          recorded_at: at.toISOString(),
          recorded_by: recordedBy,
        };
        await trx.updateTable("missing_episodes").set(update).where("id", "=", current.id).execute();
        await auditWrite(trx, actor, {
          service: "police",
          operation: "recordSeniorManagerNotification",
          childId: current.nhs_number,
          before: current,
          after: { ...current, ...update },
        });
        return toMissingEpisode({ ...current, ...update });
      });
    },
  };
}
