import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { CareTeamData, EventKind, SafeguardingEvent } from "@safeguarding/shared/events";
import type { Store } from "@safeguarding/shared/store";
import { openAlertsStore, type AlertsDatabase } from "./store.js";

/** Test support (not built): the stores the tests run on, and events as agencies write them. */

export interface TestStore {
  store: Store<AlertsDatabase>;
  /** For a service started on this store (the SQLite file's folder, or the PostgreSQL URL). */
  location: { dataDir?: string; databaseUrl?: string };
  cleanup(): Promise<void>;
}

export interface TestBackend {
  name: "sqlite" | "postgres";
  open(): Promise<TestStore>;
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** SQLite in a temp folder always; a fresh PostgreSQL database per test file too when TEST_DATABASE_URL is set. */
export function testBackends(): TestBackend[] {
  const backends: TestBackend[] = [
    {
      name: "sqlite",
      async open() {
        const dir = mkdtempSync(join(tmpdir(), "alerts-test-"));
        const store = await openAlertsStore({ dataDir: dir });
        return {
          store,
          location: { dataDir: dir },
          async cleanup() {
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl)
    backends.push({
      name: "postgres",
      async open() {
        const name = `alerts_test_${randomBytes(6).toString("hex")}`;
        await admin(adminUrl, `CREATE DATABASE ${name}`);
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        const dir = mkdtempSync(join(tmpdir(), "alerts-test-"));
        const store = await openAlertsStore({ databaseUrl: url.toString() });
        return {
          store,
          location: { databaseUrl: url.toString(), dataDir: dir },
          async cleanup() {
            await store.close();
            await admin(adminUrl, `DROP DATABASE ${name} WITH (FORCE)`);
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    });
  return backends;
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
