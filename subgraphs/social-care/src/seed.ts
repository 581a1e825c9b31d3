import type { Kysely } from "kysely";
import { ago, DEMO_CHILD_ID, type DemoChild } from "@safeguarding/kit";
import { recordCareTeamChanged } from "./events.js";
import type { SocialCareDatabase } from "./store.js";

const DEPARTMENT = "Children's Services";
const EDT = {
  name: "Avonvale Emergency Duty Team",
  role: "Emergency Duty Team (out of hours)",
  phone: "01632 960 999",
  email: null,
  team: "EDT",
};

/**
 * Demo social-care records, then the child's care team as an event in the same (seed) transaction, so that the alerts
 * service knows whom to tell about the child from the start.
 */
export async function seedSocialCareChild(db: Kysely<SocialCareDatabase>, child: DemoChild, now: Date): Promise<void> {
  await seedRecords(db, child, now);
  await recordCareTeamChanged(db, child.nhsNumber, now);
}

/** The first child mirrors the case review: interim care order, CSE risk, no RMM held. */
async function seedRecords(db: Kysely<SocialCareDatabase>, child: DemoChild, now: Date): Promise<void> {
  const by = (name: string, daysAgo: number) => ({
    department: DEPARTMENT,
    recorded_at: ago(now, daysAgo).toISOString(),
    recorded_by: name,
  });
  const id = (kind: string, n: number) => `${kind}-${child.nhsNumber.slice(-4)}-${String(n).padStart(2, "0")}`;
  const contact = (
    kind: "SOCIAL_WORKER" | "TEAM_MANAGER" | "ON_CALL_MANAGER",
    name: string,
    role: string,
    phone: string,
    email: string | null,
  ) => ({
    nhs_number: child.nhsNumber,
    kind,
    name,
    role,
    phone,
    email,
    team: kind === "ON_CALL_MANAGER" ? "Children's Services senior management" : "Children in Care Team 2",
    ...by("Leah Marsh", 20),
  });
  /** The on-call service manager the demo's other children share (Amber's own entry says she is named for her). */
  const onCallFiona = () =>
    contact(
      "ON_CALL_MANAGER",
      "Fiona Castell",
      "Service manager (on call)",
      "07700 900 461",
      "fiona.castell@avonvale.gov.example",
    );

  if (child.nhsNumber === DEMO_CHILD_ID) {
    await db
      .insertInto("child_protection_plans")
      .values({
        id: id("CPP", 1),
        nhs_number: child.nhsNumber,
        category: "EMO",
        started_at: ago(now, 210).toISOString(),
        ended_at: ago(now, 62).toISOString(),
        ...by("Leah Marsh", 62),
      })
      .execute();
    await db
      .insertInto("legal_statuses")
      .values({
        id: id("LS", 1),
        nhs_number: child.nhsNumber,
        code: "C1",
        started_at: ago(now, 62).toISOString(),
        ended_at: null,
        court: "Family Court sitting at Avonvale",
        conditions:
          "The local authority shares parental responsibility and decides where Amber lives. Contact with her mother is supervised only: no unsupervised contact. Next hearing in 5 weeks.",
        who_decides:
          "The local authority (Avonvale Children's Services) decides where Amber lives, not her mother. Out of hours, EDT or the on-call manager says where she should go; police arrange the return they direct.",
        ...by("Leah Marsh", 62),
      })
      .execute();
    await db
      .insertInto("placements")
      .values([
        {
          id: id("PL", 1),
          nhs_number: child.nhsNumber,
          type_code: "U6",
          name: "Foster carers (Mr and Mrs Dunmore)",
          address: "22 Heron Way, Avonvale AV2 7LB",
          carer: "Janet Dunmore",
          phone: "01632 960 552",
          started_at: ago(now, 62).toISOString(),
          ended_at: ago(now, 30).toISOString(),
          ...by("Leah Marsh", 30),
        },
        {
          id: id("PL", 2),
          nhs_number: child.nhsNumber,
          type_code: "K2",
          name: "Orchard Lane children's home",
          address: "14 Orchard Lane, Avonvale AV3 2QT",
          carer: "Sandra Okoye, registered manager",
          phone: "01632 960 233",
          started_at: ago(now, 30).toISOString(),
          ended_at: null,
          ...by("Leah Marsh", 30),
        },
      ])
      .execute();
    await db
      .insertInto("contacts")
      .values([
        contact("SOCIAL_WORKER", "Leah Marsh", "Social worker", "01632 960 340", "leah.marsh@avonvale.gov.example"),
        contact(
          "TEAM_MANAGER",
          "Graham Boateng",
          "Team manager",
          "01632 960 341",
          "graham.boateng@avonvale.gov.example",
        ),
        contact(
          "ON_CALL_MANAGER",
          "Fiona Castell",
          "Service manager, named on-call manager for Amber",
          "07700 900 461",
          "fiona.castell@avonvale.gov.example",
        ),
      ])
      .execute();
    await db
      .insertInto("out_of_hours_plans")
      .values({
        nhs_number: child.nhsNumber,
        return_to:
          "Orchard Lane children's home, 14 Orchard Lane, Avonvale AV3 2QT (staff awake all night: 01632 960 233)",
        do_not_return_to: JSON.stringify([
          "Her mother's address: the court allows supervised contact only",
          "Any address linked to the adult men named in the CSE investigation",
        ]),
        who_to_call: JSON.stringify([
          {
            name: "Fiona Castell",
            role: "Named on-call manager (decides where Amber goes if the home cannot take her)",
            phone: "07700 900 461",
            email: null,
            team: null,
          },
          EDT,
          {
            name: "Orchard Lane children's home",
            role: "Placement (night staff)",
            phone: "01632 960 233",
            email: null,
            team: null,
          },
        ]),
        legal_advice_route:
          "EDT asks the council's out-of-hours duty solicitor through the EDT manager (01632 960 118). Any question about the order or secure accommodation goes to the on-call manager first.",
        notes: "Amber often runs within minutes of being returned. Tell the night staff before you arrive.",
        ...by("Graham Boateng", 6),
      })
      .execute();
    await db
      .insertInto("decisions")
      .values([
        {
          id: id("DEC", 1),
          nhs_number: child.nhsNumber,
          decision:
            "If Amber is found out of hours, return her to Orchard Lane. If the home cannot take her, the on-call manager decides where she goes: never to her mother's address.",
          decided_by: "Graham Boateng, team manager",
          decided_at: ago(now, 29).toISOString(),
          applies_out_of_hours: 1,
          ...by("Graham Boateng", 29),
        },
        {
          id: id("DEC", 2),
          nhs_number: child.nhsNumber,
          decision:
            "A police station is not suitable accommodation for Amber. If she cannot go back to the home, call the on-call manager for another placement.",
          decided_by: "Fiona Castell, service manager",
          decided_at: ago(now, 39).toISOString(),
          applies_out_of_hours: 1,
          ...by("Fiona Castell", 39),
        },
        {
          id: id("DEC", 3),
          nhs_number: child.nhsNumber,
          decision:
            "A search for a secure placement has been agreed; the service manager leads it and will ask the court for authority.",
          decided_by: "Fiona Castell, service manager",
          decided_at: ago(now, 10).toISOString(),
          applies_out_of_hours: 0,
          ...by("Fiona Castell", 10),
        },
      ])
      .execute();
    await db
      .insertInto("strategy_discussions")
      .values([
        {
          id: id("SD", 1),
          nhs_number: child.nhsNumber,
          held_at: ago(now, 40, 10).toISOString(),
          chaired_by: "Graham Boateng, team manager",
          agencies_present: JSON.stringify([
            "Children's Services",
            "Police Child Exploitation Team",
            "Health (named nurse for safeguarding)",
          ]),
          decisions: JSON.stringify([
            "Section 47 enquiry to start",
            "Police to investigate the adult men at the Mill Street flat",
          ]),
          actions: JSON.stringify([
            {
              action: "Share CSE intelligence with the social worker",
              owner: "DC Priya Raman",
              dueAt: ago(now, 38).toISOString(),
              doneAt: ago(now, 38).toISOString(),
            },
            {
              action: "Request a mental-health assessment from CAMHS",
              owner: "Leah Marsh",
              dueAt: ago(now, 33).toISOString(),
              doneAt: ago(now, 30).toISOString(),
            },
          ]),
          minutes_shared_at: ago(now, 35).toISOString(),
          ...by("Graham Boateng", 35),
        },
        {
          id: id("SD", 2),
          nhs_number: child.nhsNumber,
          held_at: ago(now, 11, 6).toISOString(),
          chaired_by: "Graham Boateng, team manager",
          agencies_present: JSON.stringify(["Children's Services", "Police Missing Persons Unit", "CAMHS"]),
          decisions: JSON.stringify([
            "Seek a secure placement",
            "Daily contact through the school's bespoke timetable",
          ]),
          actions: JSON.stringify([
            {
              action: "Chase CAMHS for the mental-health assessment",
              owner: "Leah Marsh",
              dueAt: ago(now, 8).toISOString(),
              doneAt: null,
            },
          ]),
          minutes_shared_at: null,
          ...by("Graham Boateng", 11),
        },
      ])
      .execute();
    await db
      .insertInto("return_interviews")
      .values([
        {
          id: id("RI", 1),
          nhs_number: child.nhsNumber,
          missing_episode_id: "ME-0018-01",
          held_at: ago(now, 52).toISOString(),
          conducted_by: "Independent return interview worker (Avonvale Young People's Service)",
          summary: "Amber said she left after an argument; she would not say where she slept.",
          ...by("Return interview service", 52),
        },
        {
          id: id("RI", 2),
          nhs_number: child.nhsNumber,
          missing_episode_id: "ME-0018-02",
          held_at: ago(now, 38).toISOString(),
          conducted_by: "Independent return interview worker (Avonvale Young People's Service)",
          summary: "Declined to talk about the men at the flat. Shown the CSE helpline.",
          ...by("Return interview service", 38),
        },
      ])
      .execute();
    await db
      .insertInto("education")
      .values({
        nhs_number: child.nhsNumber,
        school: "Avonvale Academy",
        attendance_plan:
          "Bespoke timetable: 10:00 to 12:30 each weekday so a trusted adult sees Amber every day. The pastoral lead calls the social worker if she has not arrived by 10:30.",
        plan_contact: "Ruth Halloran, pastoral lead, 01632 960 771",
        ...by("Leah Marsh", 25),
      })
      .execute();
    return;
  }

  if (child.givenName === "Jayden") {
    await db
      .insertInto("legal_statuses")
      .values({
        id: id("LS", 1),
        nhs_number: child.nhsNumber,
        code: "V2",
        started_at: ago(now, 400).toISOString(),
        ended_at: null,
        court: null,
        conditions:
          "Accommodated with his mother's agreement; she keeps parental responsibility and can ask for him back.",
        who_decides:
          "His mother keeps parental responsibility; the council arranges where he lives with her agreement. Ask the on-call manager before returning him anywhere but his foster home.",
        ...by("Aisha Karim", 400),
      })
      .execute();
    await db
      .insertInto("placements")
      .values({
        id: id("PL", 1),
        nhs_number: child.nhsNumber,
        type_code: "U4",
        name: "Long-term foster carers (the Pryce family)",
        address: "5 Linden Road, Avonvale AV1 4HD",
        carer: "Owen Pryce",
        phone: "01632 960 618",
        started_at: ago(now, 390).toISOString(),
        ended_at: null,
        ...by("Aisha Karim", 390),
      })
      .execute();
    await db
      .insertInto("contacts")
      .values([contact("SOCIAL_WORKER", "Aisha Karim", "Social worker", "01632 960 345", null), onCallFiona()])
      .execute();
    return;
  }

  if (child.givenName === "Maisie") {
    await db
      .insertInto("child_protection_plans")
      .values({
        id: id("CPP", 1),
        nhs_number: child.nhsNumber,
        category: "NEG",
        started_at: ago(now, 90).toISOString(),
        ended_at: null,
        ...by("Tom Adeyemi", 90),
      })
      .execute();
    await db
      .insertInto("contacts")
      .values(contact("SOCIAL_WORKER", "Tom Adeyemi", "Social worker", "01632 960 352", null))
      .execute();
    await db
      .insertInto("education")
      .values({
        nhs_number: child.nhsNumber,
        school: "St Brendan's Primary School",
        attendance_plan: null,
        plan_contact: null,
        ...by("Tom Adeyemi", 80),
      })
      .execute();
    return;
  }

  if (child.givenName === "Tomasz") {
    await db
      .insertInto("legal_statuses")
      .values({
        id: id("LS", 1),
        nhs_number: child.nhsNumber,
        code: "C2",
        started_at: ago(now, 700).toISOString(),
        ended_at: null,
        court: "Family Court sitting at Avonvale",
        conditions:
          "Full care order. The local authority shares parental responsibility and decides where Tomasz lives.",
        who_decides:
          "The local authority decides where Tomasz lives. Out of hours, EDT or the on-call manager says where he should go; police arrange the return they direct.",
        ...by("Kerry Walsh", 700),
      })
      .execute();
    await db
      .insertInto("placements")
      .values({
        id: id("PL", 1),
        nhs_number: child.nhsNumber,
        type_code: "K2",
        name: "Beacon House children's home",
        address: "3 Quarry Hill, Avonvale AV4 9JS",
        carer: "Dev Mistry, registered manager",
        phone: "01632 960 287",
        started_at: ago(now, 200).toISOString(),
        ended_at: null,
        ...by("Kerry Walsh", 200),
      })
      .execute();
    await db
      .insertInto("contacts")
      .values([contact("SOCIAL_WORKER", "Kerry Walsh", "Social worker", "01632 960 348", null), onCallFiona()])
      .execute();
    await db
      .insertInto("decisions")
      .values({
        id: id("DEC", 1),
        nhs_number: child.nhsNumber,
        decision:
          "If found, do not interview him about drug running without an appropriate adult; he is a victim of exploitation first. Consider an NRM referral.",
        decided_by: "Kerry Walsh, social worker",
        decided_at: ago(now, 18).toISOString(),
        applies_out_of_hours: 1,
        ...by("Kerry Walsh", 18),
      })
      .execute();
  }
}

/**
 * Scale runs: every synthetic child has a social worker; about a third are looked after. They write no events: a
 * CARE_TEAM_CHANGED for each of 100,000 children would flood the relay and the alerts service, and no synthetic
 * social worker has an email to address.
 */
export async function seedSocialCareSynthetic(
  db: Kysely<SocialCareDatabase>,
  children: readonly DemoChild[],
  now: Date,
  random: () => number,
): Promise<void> {
  const stamp = { department: DEPARTMENT, recorded_at: now.toISOString(), recorded_by: "Synthetic data generator" };
  const codes = ["C1", "C2", "V2", "E1"];
  const contacts = children.map((child) => ({
    nhs_number: child.nhsNumber,
    kind: "SOCIAL_WORKER" as const,
    name: "Duty social worker",
    role: "Social worker",
    phone: "01632 960 300",
    email: null,
    team: "Assessment Team",
    ...stamp,
  }));
  const statuses = children
    .filter(() => random() < 0.33)
    .map((child) => ({
      id: `LS-${child.nhsNumber}-01`,
      nhs_number: child.nhsNumber,
      code: codes[Math.floor(random() * codes.length)],
      started_at: ago(now, 1 + Math.floor(random() * 900)).toISOString(),
      ended_at: null,
      court: "Family Court sitting at Avonvale",
      conditions: null,
      who_decides: "The local authority decides where the child lives.",
      ...stamp,
    }));
  for (let i = 0; i < contacts.length; i += 500)
    await db
      .insertInto("contacts")
      .values(contacts.slice(i, i + 500))
      .execute();
  for (let i = 0; i < statuses.length; i += 500)
    await db
      .insertInto("legal_statuses")
      .values(statuses.slice(i, i + 500))
      .execute();
}
