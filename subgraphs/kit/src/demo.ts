import { completeNhsNumber } from "@safeguarding/shared/nhs-number";
import type { Agency } from "./types.js";

/**
 * The fictional demo population. Names are invented; NHS numbers come from the 999 test range, which is
 * never issued to a real person. Each agency seeds its own record of the children it knows.
 */
export interface DemoChild {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  knownAs: string | null;
  /** Age in whole years on the day the demo data is loaded. */
  age: number;
  birthdayOffsetDays: number;
  area: string;
  knownTo: readonly `${Agency}`[];
}

export const DEMO_AREA = "north-avonvale";

export const DEMO_CHILDREN: readonly DemoChild[] = [
  {
    // Mirrors the case review's situation: 13, interim care order, repeatedly missing, CSE risk, no MH assessment.
    nhsNumber: "9990000018",
    givenName: "Amber",
    familyName: "Whitlock",
    knownAs: "Ambs",
    age: 13,
    birthdayOffsetDays: 97,
    area: DEMO_AREA,
    knownTo: ["POLICE", "SOCIAL_CARE", "HEALTH"],
  },
  {
    nhsNumber: "9990000026",
    givenName: "Jayden",
    familyName: "Okafor",
    knownAs: null,
    age: 15,
    birthdayOffsetDays: 210,
    area: DEMO_AREA,
    knownTo: ["POLICE", "SOCIAL_CARE", "HEALTH"],
  },
  {
    nhsNumber: "9990000034",
    givenName: "Maisie",
    familyName: "Thornbury",
    knownAs: null,
    age: 9,
    birthdayOffsetDays: 31,
    area: DEMO_AREA,
    knownTo: ["SOCIAL_CARE", "HEALTH"],
  },
  {
    nhsNumber: "9990000042",
    givenName: "Tomasz",
    familyName: "Nowakowski",
    knownAs: "Tom",
    age: 16,
    birthdayOffsetDays: 300,
    area: DEMO_AREA,
    knownTo: ["POLICE", "SOCIAL_CARE", "HEALTH"],
  },
  {
    nhsNumber: "9990000050",
    givenName: "Zoë",
    familyName: "Ellingham",
    knownAs: null,
    age: 11,
    birthdayOffsetDays: 150,
    area: DEMO_AREA,
    knownTo: ["HEALTH"],
  },
  {
    nhsNumber: "9990000069",
    givenName: "Reuben",
    familyName: "Achterberg",
    knownAs: null,
    age: 14,
    birthdayOffsetDays: 12,
    area: DEMO_AREA,
    knownTo: ["POLICE"],
  },
];

export const DEMO_CHILD_ID = "9990000018";

const DAY_MS = 24 * 60 * 60 * 1000;

export function dateOfBirth(child: Pick<DemoChild, "age" | "birthdayOffsetDays">, now: Date): string {
  const birth = new Date(now.getTime() - child.birthdayOffsetDays * DAY_MS);
  birth.setUTCFullYear(birth.getUTCFullYear() - child.age);
  return birth.toISOString().slice(0, 10);
}

/** A point in the past relative to `now`: demo data stays "recent" whenever it is loaded. */
export function ago(now: Date, days: number, hours = 0, minutes = 0): Date {
  return new Date(now.getTime() - days * DAY_MS - hours * 3600_000 - minutes * 60_000);
}

const GIVEN = [
  "Aaliyah",
  "Alfie",
  "Amelia",
  "Archie",
  "Ava",
  "Bella",
  "Caleb",
  "Chidi",
  "Daisy",
  "Dylan",
  "Eden",
  "Elijah",
  "Ella",
  "Ethan",
  "Evie",
  "Farah",
  "Finley",
  "Freya",
  "George",
  "Grace",
  "Harper",
  "Harvey",
  "Isla",
  "Jack",
  "Jasmine",
  "Kai",
  "Leo",
  "Lily",
  "Logan",
  "Maya",
  "Mason",
  "Mia",
  "Noah",
  "Nia",
  "Oliver",
  "Oscar",
  "Poppy",
  "Priya",
  "Reggie",
  "Rosie",
  "Ruby",
  "Sami",
  "Sienna",
  "Theo",
  "Tyler",
  "Willow",
  "Yusuf",
  "Zara",
];
const FAMILY = [
  "Adebayo",
  "Ahmed",
  "Bailey",
  "Barker",
  "Bennett",
  "Brennan",
  "Campbell",
  "Carter",
  "Chowdhury",
  "Clarke",
  "Davies",
  "Dempsey",
  "Evans",
  "Fernandes",
  "Fletcher",
  "Gallagher",
  "Green",
  "Hale",
  "Hussain",
  "Iqbal",
  "Jackson",
  "Kaur",
  "Kowalski",
  "Lewis",
  "Lindqvist",
  "Mahmood",
  "Marsh",
  "Mensah",
  "Morgan",
  "Novak",
  "Oduya",
  "Patel",
  "Quinn",
  "Rahman",
  "Reid",
  "Roberts",
  "Sandhu",
  "Shaw",
  "Singh",
  "Taylor",
  "Thompson",
  "Turner",
  "Vaughan",
  "Walsh",
  "Ward",
  "Whittaker",
  "Williams",
  "Wright",
  "Yilmaz",
  "Zielinski",
];

/** A deterministic generator (mulberry32) so scale runs are repeatable. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` synthetic children with valid 999-range NHS numbers from 999 100 000x upwards (none demo). */
export function* syntheticChildren(count: number, seed = 42): Generator<DemoChild> {
  const random = prng(seed);
  let stem = 999100000;
  let made = 0;
  while (made < count) {
    const nhsNumber = completeNhsNumber(String(stem));
    stem += 1;
    if (!nhsNumber) continue;
    made += 1;
    yield {
      nhsNumber,
      givenName: GIVEN[Math.floor(random() * GIVEN.length)],
      familyName: FAMILY[Math.floor(random() * FAMILY.length)],
      knownAs: null,
      age: 1 + Math.floor(random() * 17),
      birthdayOffsetDays: Math.floor(random() * 365),
      area: DEMO_AREA,
      knownTo: ["POLICE", "SOCIAL_CARE", "HEALTH"],
    };
  }
}
