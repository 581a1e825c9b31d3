import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { CareTeamData, EventKind, SafeguardingEvent } from "@safeguarding/shared/events";
import {
  storeTestBackends,
  type TestBackend,
  type TestStore as SharedTestStore,
} from "@safeguarding/shared/store-testing";
import { openAlertsStore, type AlertsDatabase } from "./store.js";

/** Test support (not built): the stores the tests run on, and events as agencies write them. */

export type TestStore = SharedTestStore<AlertsDatabase>;

/** SQLite in a temp folder always; a fresh PostgreSQL database per test file too when TEST_DATABASE_URL is set. */
export function testBackends(): TestBackend<AlertsDatabase>[] {
  return storeTestBackends<AlertsDatabase>("alerts", (location) => openAlertsStore(location));
}

export const AMBER = "9990000018";
export const LEAH = { name: "Leah Marsh", email: "leah.marsh@avonvale.gov.example" };
export const SAM = { name: "Sam Okoro", email: "sam.okoro@avonvale.gov.example" };
export const CHRIS = { name: "Chris Doyle", email: "chris.doyle@avonvale.gov.example" };
export const FIONA = { name: "Fiona Castell", email: "fiona.castell@avonvale.gov.example" };
export const GRAHAM = { name: "Graham Pell", email: "graham.pell@avonvale.gov.example" };
export const PRIYA = { name: "Priya Natt", email: "priya.natt@avonvale.police.example" };
export const HELEN = { name: "DS Helen Crane", email: "helen.crane@avonvale.police.example" };
export const DUTY = { name: "North Avonvale children's duty team", email: "childrens.duty@avonvale.gov.example" };

/** Wednesday 9 December 2026, 11:00 GMT: office hours. */
export const IN_HOURS = new Date("2026-12-09T11:00:00Z");
/** Wednesday 9 December 2026, 19:30 GMT: out of hours. */
export const OUT_OF_HOURS = new Date("2026-12-09T19:30:00Z");

export function event(kind: EventKind, overrides: Partial<SafeguardingEvent> = {}): SafeguardingEvent {
  const agency = kind === "LEGAL_STATUS_CHANGED" || kind === "CARE_TEAM_CHANGED" ? "SOCIAL_CARE" : "POLICE";
  return {
    id: randomUUID(),
    kind,
    agency,
    childId: AMBER,
    area: "north-avonvale",
    occurredAt: "2026-12-09T10:30:00Z",
    recordedAt: "2026-12-09T10:31:00Z",
    summary: "Amber Hayes (999 000 0018) reported missing from placement at 10:30.",
    data: {},
    ...overrides,
  };
}

export function careTeamEvent(team: CareTeamData, occurredAt = "2026-12-01T09:00:00Z"): SafeguardingEvent {
  return event("CARE_TEAM_CHANGED", {
    occurredAt,
    recordedAt: occurredAt,
    summary: "Care team recorded.",
    data: team as unknown as Record<string, unknown>,
  });
}

/** A clock the test moves. */
export function testClock(start: Date) {
  let current = start;
  return {
    now: () => current,
    set(at: Date) {
      current = at;
    },
    advance(minutes: number) {
      current = new Date(current.getTime() + minutes * 60_000);
    },
  };
}

/**
 * A real SMTP server on a free port, keeping every message it receives. While `refusing` is set it answers every
 * recipient with a temporary failure (451), as a mail server that is down or full would.
 */
export async function startMailServer() {
  const messages: { to: string[]; body: string }[] = [];
  const state = { refusing: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (!state.refusing) return callback();
      const error = Object.assign(new Error("Mailbox busy, try again later"), { responseCode: 451 });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    messages,
    port,
    /** Refuse (true) or take (false) mail from now on. */
    refuse(on: boolean) {
      state.refusing = on;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
