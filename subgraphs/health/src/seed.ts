import type { Kysely } from "kysely";
import { ago, DEMO_AREA, DEMO_CHILD_ID, type DemoChild } from "@safeguarding/kit";
import { CamhsReferralStatus, CamhsUrgency, EscalationLadder, MentalHealthAssessmentStatus } from "./entities.js";
import type { EscalationStepTable, GpPracticeTable, HealthDatabase } from "./store.js";

// Everything here is invented: practice names, ODS codes and the "AV" postcode area do not exist, and the
// phone numbers are from Ofcom's ranges reserved for drama (01632 960xxx, 0808 157 0xxx).
const CAMHS = "North Avonvale CAMHS";
const DIRECTORY = "CAMHS escalation directory";
const PRACTICE_REGISTRATION = "GP practice registration";

type Practice = Pick<GpPracticeTable, "name" | "ods_code" | "phone" | "address">;

const PRACTICES: readonly Practice[] = [
  {
    name: "Riverside Medical Centre",
    ods_code: "Z90011",
    phone: "01632 960 511",
    address: "14 Quay Street, Avonvale AV1 2QS",
  },
  {
    name: "Mill Street Surgery",
    ods_code: "Z90012",
    phone: "01632 960 512",
    address: "3 Mill Street, Avonvale AV1 4MB",
  },
  {
    name: "Northgate Family Practice",
    ods_code: "Z90013",
    phone: "01632 960 513",
    address: "Northgate Health Centre, Avonvale AV2 7NG",
  },
  {
    name: "Avonvale Park Health Centre",
    ods_code: "Z90014",
    phone: "01632 960 514",
    address: "1 Park Road, Avonvale AV3 1PR",
  },
  { name: "Hill View Surgery", ods_code: "Z90015", phone: "01632 960 515", address: "22 Hill View, Kingsford AV4 9HV" },
];

type StepSeed = Pick<EscalationStepTable, "role" | "contact" | "phone" | "availability" | "escalate_after_minutes">;

const IN_HOURS = "Monday to Friday, 9am to 5pm";

/**
 * The demo area's escalation directory: the case review asked "who do we escalate to for a mental-health
 * assessment, in and out of hours". Local arrangements, not a national route.
 */
const ESCALATION_DIRECTORY: Record<string, Record<EscalationLadder, StepSeed[]>> = {
  [DEMO_AREA]: {
    [EscalationLadder.IN_HOURS]: [
      {
        role: "CAMHS duty clinician",
        contact: `${CAMHS} duty desk`,
        phone: "01632 960 520",
        availability: IN_HOURS,
        escalate_after_minutes: 60,
      },
      {
        role: "CAMHS team manager",
        contact: `${CAMHS} team manager (via the duty desk)`,
        phone: "01632 960 521",
        availability: IN_HOURS,
        escalate_after_minutes: 120,
      },
      {
        role: "CAMHS service manager",
        contact: "Avonvale children's mental health service manager",
        phone: "01632 960 522",
        availability: IN_HOURS,
        escalate_after_minutes: null,
      },
    ],
    [EscalationLadder.OUT_OF_HOURS]: [
      {
        role: "CAMHS crisis line",
        contact: "Avonvale CAMHS crisis line",
        phone: "0808 157 0520",
        availability: "24 hours, every day",
        escalate_after_minutes: 30,
      },
      {
        role: "On-call CAMHS consultant psychiatrist",
        contact: "Avonvale General Hospital switchboard: ask for the on-call CAMHS consultant",
        phone: "01632 960 600",
        availability: "Evenings, nights, weekends and bank holidays",
        escalate_after_minutes: 60,
      },
      {
        role: "NHS trust director on call",
        contact: "Avonvale General Hospital switchboard: ask for the director on call",
        phone: "01632 960 600",
        availability: "Evenings, nights, weekends and bank holidays",
        escalate_after_minutes: null,
      },
    ],
  },
};

/** Loads an area's escalation ladders once; calling it again for the same area does nothing. */
export async function seedEscalationRoute(db: Kysely<HealthDatabase>, area: string, now: Date): Promise<void> {
  const ladders = ESCALATION_DIRECTORY[area];
  if (!ladders) return;
  const existing = await db
    .selectFrom("escalation_steps")
    .select("area")
    .where("area", "=", area)
    .limit(1)
    .executeTakeFirst();
  if (existing) return;
  const rows: EscalationStepTable[] = Object.entries(ladders).flatMap(([ladder, steps]) =>
    steps.map((step, index) => ({
      area,
      ladder,
      position: index + 1,
      ...step,
      department: DIRECTORY,
      recorded_at: ago(now, 14).toISOString(),
      recorded_by: "CAMHS service manager's office",
    })),
  );
  await db.insertInto("escalation_steps").values(rows).execute();
}

function practiceRow(child: DemoChild, practice: Practice, now: Date, registeredDaysAgo: number): GpPracticeTable {
  return {
    nhs_number: child.nhsNumber,
    ...practice,
    department: PRACTICE_REGISTRATION,
    recorded_at: ago(now, registeredDaysAgo).toISOString(),
    recorded_by: `${practice.name} reception`,
  };
}

const shortId = (child: DemoChild) => child.nhsNumber.slice(-4);

/** Demo health records. The first child mirrors the case review: the assessment asked for never happened. */
export async function seedHealthChild(db: Kysely<HealthDatabase>, child: DemoChild, now: Date): Promise<void> {
  await seedEscalationRoute(db, child.area, now);
  const camhs = (daysAgo: number, by: string) => ({
    department: CAMHS,
    recorded_at: ago(now, daysAgo).toISOString(),
    recorded_by: by,
  });

  if (child.nhsNumber === DEMO_CHILD_ID) {
    await db
      .insertInto("gp_practices")
      .values(practiceRow(child, PRACTICES[0], now, 400))
      .execute();
    await db
      .insertInto("camhs_referrals")
      .values({
        id: `CR-${shortId(child)}-01`,
        nhs_number: child.nhsNumber,
        referred_at: ago(now, 45).toISOString(),
        referred_by: "Dr Helen Carver, GP, Riverside Medical Centre",
        reason:
          "Low mood, talk of self-harm and repeated missing episodes; thought to be at risk of sexual exploitation.",
        urgency: CamhsUrgency.URGENT,
        status: CamhsReferralStatus.ACCEPTED,
        ...camhs(41, "CAMHS duty clinician"),
      })
      .execute();
    await db
      .insertInto("mental_health_assessments")
      .values({
        id: `MHA-${shortId(child)}-01`,
        nhs_number: child.nhsNumber,
        requested_at: ago(now, 30).toISOString(),
        requested_by: "Leah Marsh, social worker, children in care team",
        reason:
          "Under an interim care order and going missing often, sometimes within minutes of being returned. " +
          "A suitable placement cannot be agreed until her mental health has been assessed.",
        status: MentalHealthAssessmentStatus.REQUESTED,
        scheduled_for: null,
        completed_at: null,
        outcome_summary: null,
        ...camhs(30, "Leah Marsh, social worker, children in care team"),
      })
      .execute();
    return;
  }
  if (child.givenName === "Jayden") {
    await db
      .insertInto("gp_practices")
      .values(practiceRow(child, PRACTICES[1], now, 900))
      .execute();
    return;
  }
  if (child.givenName === "Maisie") {
    await db
      .insertInto("gp_practices")
      .values(practiceRow(child, PRACTICES[2], now, 2000))
      .execute();
    return;
  }
  if (child.givenName === "Tomasz") {
    await db
      .insertInto("gp_practices")
      .values(practiceRow(child, PRACTICES[3], now, 700))
      .execute();
    await db
      .insertInto("mental_health_assessments")
      .values({
        id: `MHA-${shortId(child)}-01`,
        nhs_number: child.nhsNumber,
        requested_at: ago(now, 18).toISOString(),
        requested_by: "Kerry Walsh, social worker, children in care team",
        reason:
          "Found far from home with cash and two phones; suspected of carrying drugs for a county line. Seems withdrawn.",
        status: MentalHealthAssessmentStatus.DECLINED,
        scheduled_for: ago(now, 10).toISOString(),
        completed_at: null,
        outcome_summary:
          "Tom said he did not want an assessment and did not attend the appointment offered. CAMHS wrote to his GP " +
          "and social worker and will take a new request if things change.",
        ...camhs(9, "CAMHS duty clinician"),
      })
      .execute();
    return;
  }
  if (child.givenName === "Zoë") {
    await db
      .insertInto("gp_practices")
      .values(practiceRow(child, PRACTICES[4], now, 1500))
      .execute();
    await db
      .insertInto("camhs_referrals")
      .values({
        id: `CR-${shortId(child)}-01`,
        nhs_number: child.nhsNumber,
        referred_at: ago(now, 120).toISOString(),
        referred_by: "Dr Amit Shah, GP, Hill View Surgery",
        reason: "Worries, poor sleep and stomach aches before school since starting Year 7.",
        urgency: CamhsUrgency.ROUTINE,
        status: CamhsReferralStatus.CLOSED,
        ...camhs(70, "CAMHS clinician"),
      })
      .execute();
    await db
      .insertInto("mental_health_assessments")
      .values({
        id: `MHA-${shortId(child)}-01`,
        nhs_number: child.nhsNumber,
        requested_at: ago(now, 110).toISOString(),
        requested_by: "CAMHS single point of access (from the GP's referral)",
        reason: "Routine assessment following the GP's referral.",
        status: MentalHealthAssessmentStatus.COMPLETED,
        scheduled_for: ago(now, 75).toISOString(),
        completed_at: ago(now, 75).toISOString(),
        outcome_summary:
          "Anxiety linked to the move to secondary school. Offered six sessions with the school's mental health " +
          "support team; the GP can refer again if things get worse.",
        ...camhs(75, "CAMHS clinician"),
      })
      .execute();
  }
}

/** Scale runs: every child is registered with a GP practice and about one in ten has a CAMHS referral. */
export async function seedHealthSynthetic(
  db: Kysely<HealthDatabase>,
  children: readonly DemoChild[],
  now: Date,
  random: () => number,
): Promise<void> {
  for (const area of new Set(children.map((child) => child.area))) await seedEscalationRoute(db, area, now);
  const urgencies = Object.values(CamhsUrgency);
  const statuses = Object.values(CamhsReferralStatus);
  const practices = children.map((child) =>
    practiceRow(child, PRACTICES[Math.floor(random() * PRACTICES.length)], now, 30 + Math.floor(random() * 2000)),
  );
  const referrals = children
    .filter(() => random() < 0.1)
    .map((child) => {
      const referredAt = ago(now, 1 + Math.floor(random() * 300));
      return {
        id: `CR-${child.nhsNumber}-01`,
        nhs_number: child.nhsNumber,
        referred_at: referredAt.toISOString(),
        referred_by: "GP (synthetic record)",
        reason: "Synthetic record for scale testing.",
        urgency: urgencies[Math.floor(random() * urgencies.length)],
        status: statuses[Math.floor(random() * statuses.length)],
        department: CAMHS,
        recorded_at: referredAt.toISOString(),
        recorded_by: "CAMHS single point of access",
      };
    });
  for (let i = 0; i < practices.length; i += 500)
    await db
      .insertInto("gp_practices")
      .values(practices.slice(i, i + 500))
      .execute();
  for (let i = 0; i < referrals.length; i += 500)
    await db
      .insertInto("camhs_referrals")
      .values(referrals.slice(i, i + 500))
      .execute();
}
