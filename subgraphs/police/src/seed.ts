import type { Kysely } from "kysely";
import { ago, DEMO_CHILD_ID, type DemoChild } from "@safeguarding/kit";
import type { MissingEpisodeTable, PoliceDatabase } from "./store.js";

const MISSING_UNIT = "Missing Persons Unit";
const RESPONSE = "Response and Patrol";
const EXPLOITATION = "Child Exploitation Team";
const PPU = "Public Protection Unit";

type EpisodeSeed = {
  reportedDaysAgo: number;
  reportedHoursAgo?: number;
  foundAfterHours: number | null;
  riskLevel: MissingEpisodeTable["risk_level"];
  cse: boolean;
  returnedTo: MissingEpisodeTable["returned_to"];
  heldMinutes?: number;
  lastSeen: string;
  found?: string;
  circumstances: string;
};

function episodes(
  child: DemoChild,
  now: Date,
  seeds: EpisodeSeed[],
  idStem = child.nhsNumber.slice(-4),
): MissingEpisodeTable[] {
  return seeds.map((seed, index) => {
    const reportedAt = ago(now, seed.reportedDaysAgo, seed.reportedHoursAgo ?? 0);
    const foundAt =
      seed.foundAfterHours === null ? null : new Date(reportedAt.getTime() + seed.foundAfterHours * 3600_000);
    return {
      id: `ME-${idStem}-${String(index + 1).padStart(2, "0")}`,
      nhs_number: child.nhsNumber,
      reported_at: reportedAt.toISOString(),
      reported_by: "Carer at placement (by phone)",
      last_seen_at: new Date(reportedAt.getTime() - 2 * 3600_000).toISOString(),
      last_seen_location: seed.lastSeen,
      circumstances: seed.circumstances,
      risk_level: seed.riskLevel,
      cse_indicators: seed.cse ? 1 : 0,
      found_at: foundAt?.toISOString() ?? null,
      found_location: seed.found ?? null,
      found_by: foundAt ? "PC 4471 Daniel Osei" : null,
      returned_to: seed.returnedTo,
      held_at_police_station_minutes: seed.heldMinutes ?? null,
      senior_manager_notified_at: null,
      senior_manager_notified: null,
      department: MISSING_UNIT,
      recorded_at: (foundAt ?? reportedAt).toISOString(),
      recorded_by: "PC 4471 Daniel Osei",
    };
  });
}

/** Demo police records. The first child mirrors the case review: repeated missing episodes, CSE risk. */
export async function seedPoliceChild(db: Kysely<PoliceDatabase>, child: DemoChild, now: Date): Promise<void> {
  const recorded = (department: string, daysAgo: number, by: string) => ({
    department,
    recorded_at: ago(now, daysAgo).toISOString(),
    recorded_by: by,
  });
  if (child.nhsNumber === DEMO_CHILD_ID) {
    await db
      .insertInto("missing_episodes")
      .values(
        episodes(child, now, [
          {
            reportedDaysAgo: 55,
            foundAfterHours: 14,
            riskLevel: "MEDIUM",
            cse: false,
            returnedTo: "PLACEMENT",
            lastSeen: "Placement, Orchard Lane children's home",
            found: "Bus station, Avonvale town centre",
            circumstances: "Left the placement after an argument about phone use.",
          },
          {
            reportedDaysAgo: 41,
            foundAfterHours: 20,
            riskLevel: "HIGH",
            cse: true,
            returnedTo: "POLICE_STATION",
            heldMinutes: 190,
            lastSeen: "Outside Avonvale Academy",
            found: "Flat above a takeaway, Mill Street, with two adult men",
            circumstances: "Seen getting into a car with older males; phone switched off.",
          },
          {
            reportedDaysAgo: 24,
            foundAfterHours: 9,
            riskLevel: "MEDIUM",
            cse: false,
            returnedTo: "FAMILY_HOME",
            lastSeen: "Placement",
            found: "Mother's address",
            circumstances:
              "Said she wanted to see her mother. The interim care order says the council decides where she lives.",
          },
          {
            reportedDaysAgo: 12,
            foundAfterHours: 30,
            riskLevel: "HIGH",
            cse: false,
            returnedTo: "PLACEMENT",
            lastSeen: "Placement",
            found: "Railway footbridge, Avonvale",
            circumstances: "Left within an hour of being returned from school; talked of self-harm.",
          },
          {
            reportedDaysAgo: 0,
            reportedHoursAgo: 5,
            foundAfterHours: null,
            riskLevel: "HIGH",
            cse: true,
            returnedTo: null,
            lastSeen: "Placement, Orchard Lane children's home",
            circumstances: "Messages on her tablet arrange to meet an adult she calls 'K'.",
          },
        ]),
      )
      .execute();
    const night = ago(now, 40, 22);
    await db
      .insertInto("police_protection")
      .values({
        id: "PP-0018-01",
        nhs_number: child.nhsNumber,
        started_at: night.toISOString(),
        ended_at: new Date(night.getTime() + 3.5 * 3600_000).toISOString(),
        reason: "Found with adult men at 02:00; no placement could take her at once. Taken into police protection.",
        initiating_officer: "PC 4471 Daniel Osei",
        designated_officer: "Inspector Ruth Abara",
        ...recorded(RESPONSE, 40, "PC 4471 Daniel Osei"),
      })
      .execute();
    await db
      .insertInto("cse_concerns")
      .values({
        id: "CSE-0018-01",
        nhs_number: child.nhsNumber,
        summary:
          "Believed to be groomed by adult men met online; gifts, a new phone and lifts in cars. Investigation open.",
        status: "UNDER_INVESTIGATION",
        officer: "DC Priya Raman",
        opened_at: ago(now, 40).toISOString(),
        ...recorded(EXPLOITATION, 3, "DC Priya Raman"),
      })
      .execute();
    await db
      .insertInto("warning_markers")
      .values([
        {
          id: "WM-0018-01",
          nhs_number: child.nhsNumber,
          marker: "MISSING_FROM_CARE",
          detail: "Goes missing often, sometimes within minutes of being returned.",
          ...recorded(MISSING_UNIT, 30, "PC 4471 Daniel Osei"),
        },
        {
          id: "WM-0018-02",
          nhs_number: child.nhsNumber,
          marker: "CSE_RISK",
          detail: "At risk of sexual exploitation: see the Child Exploitation Team.",
          ...recorded(EXPLOITATION, 40, "DC Priya Raman"),
        },
        {
          id: "WM-0018-03",
          nhs_number: child.nhsNumber,
          marker: "SELF_HARM",
          detail: "Has spoken of self-harm when found.",
          ...recorded(RESPONSE, 11, "PC 2290 Hannah Lloyd"),
        },
      ])
      .execute();
    await db
      .insertInto("officers_in_case")
      .values({
        nhs_number: child.nhsNumber,
        name: "DS Marcus Fenwick",
        role: "Detective Sergeant, officer in case",
        phone: "01632 960 410",
        email: "marcus.fenwick@avonvale.police.example",
        team: PPU,
        ...recorded(PPU, 40, "DS Marcus Fenwick"),
      })
      .execute();
    return;
  }
  if (child.givenName === "Jayden") {
    await db
      .insertInto("missing_episodes")
      .values(
        episodes(child, now, [
          {
            reportedDaysAgo: 80,
            foundAfterHours: 6,
            riskLevel: "LOW",
            cse: false,
            returnedTo: "PLACEMENT",
            lastSeen: "Foster home",
            found: "Friend's house",
            circumstances: "Stayed late at a friend's without telling his carers.",
          },
        ]),
      )
      .execute();
    return;
  }
  if (child.givenName === "Tomasz") {
    await db
      .insertInto("missing_episodes")
      .values(
        episodes(child, now, [
          {
            reportedDaysAgo: 20,
            foundAfterHours: 48,
            riskLevel: "HIGH",
            cse: false,
            returnedTo: "PLACEMENT",
            lastSeen: "Children's home",
            found: "Train station in another county, with cash and two phones",
            circumstances: "Suspected of carrying drugs for a county line.",
          },
          {
            reportedDaysAgo: 1,
            foundAfterHours: null,
            riskLevel: "MEDIUM",
            cse: false,
            returnedTo: null,
            lastSeen: "College",
            circumstances: "Did not return from college.",
          },
        ]),
      )
      .execute();
    await db
      .insertInto("warning_markers")
      .values({
        id: "WM-0042-01",
        nhs_number: child.nhsNumber,
        marker: "CRIMINAL_EXPLOITATION_RISK",
        detail: "Suspected of running drugs for a county line.",
        ...recorded(EXPLOITATION, 19, "DC Owen Price"),
      })
      .execute();
    return;
  }
  if (child.givenName === "Reuben") {
    await db
      .insertInto("missing_episodes")
      .values(
        episodes(child, now, [
          {
            reportedDaysAgo: 33,
            foundAfterHours: 3,
            riskLevel: "VERY_LOW",
            cse: false,
            returnedTo: "FAMILY_HOME",
            lastSeen: "Park near home",
            found: "Park near home",
            circumstances: "Lost track of time; parents worried.",
          },
        ]),
      )
      .execute();
  }
}

/** Scale runs: roughly one child in five has a past missing episode. */
export async function seedPoliceSynthetic(
  db: Kysely<PoliceDatabase>,
  children: readonly DemoChild[],
  now: Date,
  random: () => number,
): Promise<void> {
  const levels = ["VERY_LOW", "LOW", "MEDIUM", "HIGH"];
  const rows = children
    .filter(() => random() < 0.2)
    .flatMap((child) =>
      episodes(
        child,
        now,
        [
          {
            reportedDaysAgo: 1 + Math.floor(random() * 300),
            foundAfterHours: 2 + Math.floor(random() * 40),
            riskLevel: levels[Math.floor(random() * levels.length)],
            cse: random() < 0.1,
            returnedTo: "PLACEMENT",
            lastSeen: "Home",
            found: "Town centre",
            circumstances: "Synthetic record for scale testing.",
          },
        ],
        child.nhsNumber,
      ),
    );
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto("missing_episodes")
      .values(rows.slice(i, i + 500))
      .execute();
}
