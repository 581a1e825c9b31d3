import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { ACCESS_POLICY, allowedGiven, ruleFor } from "@safeguarding/shared/policy";
import { DEMO_USERS, findDemoUser, type DemoUser } from "@safeguarding/shared/demo-users";
import { RECENTLY_FOUND_HOURS, type ChildFacts, type Role } from "@safeguarding/shared/identity";
import { PURPOSE, repoRoot, startCluster, writerFor, type Cluster, type GraphqlResult } from "../support/cluster.js";

/**
 * Every cell of the access policy, exercised through the gateway: for each demo user (one or more per role) and
 * each demo child, ask for every field the API has, then check each field the answer reached against the policy
 * table: allowed fields come back with no FORBIDDEN error, denied fields are null with FORBIDDEN naming the field.
 * The expectation is computed from the same table the subgraphs enforce, with the facts read from the data.
 */

const CHILDREN = ["9990000018", "9990000026", "9990000034", "9990000042", "9990000050", "9990000069"];

let cluster: Cluster;
let schema: GraphQLSchema;
let alertAreas: string;

/**
 * The demo area's alert settings for this cluster, always out of hours (the days around today are bank holidays) and
 * with the response officer in the control room, so every role that may read alerts has some to read.
 */
function alwaysOutOfHours(): string {
  const dir = mkdtempSync(join(tmpdir(), "sg-alert-areas-"));
  const officer = findDemoUser("response-officer")!;
  const days = [-1, 0, 1, 2].map((d) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10));
  for (const name of ["default.json", "north-avonvale.json"]) {
    const config = JSON.parse(readFileSync(join(repoRoot, "gateway/protocol/alerts", name), "utf8"));
    config.officeHours.bankHolidays.push(...days);
    config.people.controlRoom.push({ name: officer.name, email: officer.email });
    writeFileSync(join(dir, name), JSON.stringify(config));
  }
  return dir;
}

/** Waits until each of these demo users has at least one alert: delivery is asynchronous. */
async function everyoneAlerted(users: string[]) {
  const deadline = Date.now() + 20_000;
  for (const user of users) {
    for (;;) {
      const result = await cluster.query(`{ myAlerts(unacknowledgedOnly: false) { id } }`, {}, { as: user });
      if (result.data?.myAlerts?.length) break;
      if (Date.now() > deadline) throw new Error(`${user} had no alert within 20 s: ${JSON.stringify(result)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A selection of every field of a type, with __typename everywhere, not revisiting a type already on the path. */
function selectAll(type: GraphQLObjectType, path: string[] = [], skip: Set<string> = new Set()): string {
  const parts = ["__typename"];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((a) => isNonNullType(a.type))) continue;
    if (skip.has(`${type.name}.${field.name}`)) continue;
    const named = getNamedType(field.type);
    if (isObjectType(named)) {
      if (path.includes(named.name)) continue;
      parts.push(`${field.name} { ${selectAll(named, [...path, type.name], skip)} }`);
    } else parts.push(field.name);
  }
  return parts.join(" ");
}

interface Cell {
  role: Role;
  field: string;
  outcome: "allowed" | "denied";
}

const exercised = new Map<string, Cell>();
const record = (role: Role, field: string, outcome: Cell["outcome"]) =>
  exercised.set(`${role} ${field} ${outcome}`, { role, field, outcome });

/** Walks an answer beside its policy: every field reached is checked and counted as an exercised cell. */
function check(
  user: DemoUser,
  facts: ChildFacts,
  value: unknown,
  path: (string | number)[],
  errors: GraphqlResult<unknown>["errors"],
  failures: string[],
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => check(user, facts, item, [...path, i], errors, failures));
    return;
  }
  if (!value || typeof value !== "object") return;
  const object = value as Record<string, unknown>;
  const typeName = object.__typename as string;
  for (const [fieldName, fieldValue] of Object.entries(object)) {
    if (fieldName === "__typename") continue;
    const field = `${typeName}.${fieldName}`;
    const here = [...path, fieldName];
    const forbidden = errors?.find(
      (e) => e.extensions?.code === "FORBIDDEN" && JSON.stringify(e.path) === JSON.stringify(here),
    );
    const allowed = allowedGiven(user.role, ruleFor(typeName, fieldName), facts);
    if (allowed) {
      if (forbidden) failures.push(`${user.id}: ${here.join(".")} (${field}) was refused but the policy allows it`);
      record(user.role, field, "allowed");
      check(user, facts, fieldValue, here, errors, failures);
    } else {
      if (fieldValue !== null) failures.push(`${user.id}: ${here.join(".")} (${field}) came back but is denied`);
      else if (!forbidden) failures.push(`${user.id}: ${here.join(".")} (${field}) is null with no FORBIDDEN error`);
      else if (forbidden.extensions?.field !== field)
        failures.push(`${user.id}: FORBIDDEN at ${here.join(".")} names ${String(forbidden.extensions?.field)}`);
      record(user.role, field, "denied");
    }
  }
}

beforeAll(async () => {
  alertAreas = alwaysOutOfHours();
  cluster = await startCluster({ env: { ALERTS_CONFIG_DIR: alertAreas } });
  const introspection = await cluster.query(getIntrospectionQuery());
  schema = buildClientSchema(introspection.data);
  // The demo data holds no risk-management meeting: record one, so its cells are reached too.
  const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
  const meeting = await cluster.query(
    `mutation($input: RecordRiskManagementMeetingInput!) { recordRiskManagementMeeting(input: $input) { id } }`,
    {
      input: {
        childId: "9990000026",
        heldAt: hours(-2),
        chairedBy: "Graham Boateng",
        attendees: [{ agency: "Police", role: "Missing persons coordinator", name: "DS Helen Crane" }],
        risks: [{ category: "Going missing", description: "Stays out overnight", level: "MEDIUM" }],
        protectiveFactors: ["Close to his foster carers"],
        actions: [{ action: "Review the trigger plan", owner: "Aisha Karim", dueAt: hours(48) }],
        nextReviewAt: hours(24 * 14),
        strategyDiscussionNeeded: false,
        strategyDiscussionReason: "No sign of exploitation.",
      },
    },
    { as: "edt" },
  );
  expect(meeting.errors).toBeUndefined();
  // Alerts for every role that may read them: a new legal status (the control room, with the response officer in it
  // here, and police safeguarding), Jayden reported missing out of hours (EDT), Amber found (her social worker), and
  // Amber's overdue mental-health assessment, which health raises at start (CAMHS).
  const writes: [string, Record<string, unknown>][] = [
    [
      "recordLegalStatus",
      {
        childId: "9990000026",
        code: "C2",
        startedAt: hours(-1),
        court: "Family Court sitting at Avonvale",
        conditions: "Full care order.",
        whoDecidesWhereChildLives: "The local authority decides where Jayden lives.",
        recordedBy: "Aisha Karim",
      },
    ],
    [
      "reportMissing",
      {
        childId: "9990000026",
        reportedAt: hours(-1),
        reportedBy: "Owen Pryce, foster carer",
        lastSeenAt: hours(-3),
        lastSeenLocation: "Linden Road",
        riskLevel: "MEDIUM",
        cseIndicators: false,
        department: "Control Room",
      },
    ],
  ];
  for (const [mutation, input] of writes) {
    const type = `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
    const result = await cluster.query(
      `mutation($input: ${type}!) { ${mutation}(input: $input) { id } }`,
      { input },
      { as: writerFor(mutation) },
    );
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  }
  const amber = await cluster.query(
    `{ child(id: "9990000018", ${PURPOSE}) { police { missingEpisodes { id status } } } }`,
    {},
    { as: "police-safeguarding" },
  );
  const open = amber.data.child.police.missingEpisodes.find((e: { status: string }) => e.status === "MISSING");
  const found = await cluster.query(
    `mutation($input: RecordFoundInput!) { recordFound(input: $input) { id } }`,
    {
      input: {
        episodeId: open.id,
        foundAt: new Date(Date.now() - 1000).toISOString(),
        foundLocation: "Bus station",
        foundBy: "PC 4127",
        returnedTo: "PLACEMENT",
      },
    },
    { as: writerFor("recordFound") },
  );
  expect(found.errors).toBeUndefined();
  await everyoneAlerted(["control-room", "response-officer", "police-safeguarding", "edt", "social-worker", "camhs"]);
});

afterAll(async () => {
  await cluster?.close();
  if (alertAreas) rmSync(alertAreas, { recursive: true, force: true });
});

/** The facts the policy's conditions depend on, read from the records themselves. */
async function factsOf(child: string, user: DemoUser): Promise<ChildFacts> {
  const police = await cluster.query(
    `query($id: ID!) { child(id: $id, ${PURPOSE}) { police { missingEpisodes { status foundAt } } } }`,
    { id: child },
    { as: "police-safeguarding" },
  );
  const socialCare = await cluster.query(
    `query($id: ID!) { child(id: $id, ${PURPOSE}) { socialCare { socialWorker { person { email } } } } }`,
    { id: child },
    { as: "edt" },
  );
  const episodes: { status: string; foundAt: string | null }[] = police.data?.child?.police?.missingEpisodes ?? [];
  const recently = Date.now() - RECENTLY_FOUND_HOURS * 3_600_000;
  const email: string | undefined = socialCare.data?.child?.socialCare?.socialWorker?.person?.email;
  return {
    // Open, or closed within the last RECENTLY_FOUND_HOURS (the police's own fact, as the policy reads it).
    missingOrRecentlyFound: episodes.some(
      (e) => e.status === "MISSING" || (e.foundAt !== null && Date.parse(e.foundAt) >= recently),
    ),
    allocatedSocialWorker: user.role === "SOCIAL_WORKER" && !!email && email.toLowerCase() === user.email,
  };
}

describe("every cell of the access policy, through the gateway", () => {
  it("reads every field of every child as every demo user, and the answer matches the policy field by field", async () => {
    const child = schema.getType("Child") as GraphQLObjectType;
    // The glossary is public and cyclic; its cells are checked by the public-glossary test below.
    const selection = selectAll(child, [], new Set(["GlossaryTerm.relatedTerms"]));
    const failures: string[] = [];
    for (const user of DEMO_USERS) {
      for (const id of CHILDREN) {
        const facts = await factsOf(id, user);
        const result = await cluster.query(
          `query($id: ID!) { child(id: $id, ${PURPOSE}) { ${selection} } }`,
          { id },
          { as: user.id },
        );
        expect(result.status).toBe(200);
        const unexpected = (result.errors ?? []).filter((e) => e.extensions?.code !== "FORBIDDEN");
        expect(unexpected, `${user.id} reading ${id}`).toEqual([]);
        const allowed = allowedGiven(user.role, ruleFor("Query", "child"), facts);
        if (!allowed) {
          expect(result.data.child).toBeNull();
          expect(result.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", field: "Query.child" });
          record(user.role, "Query.child", "denied");
          continue;
        }
        record(user.role, "Query.child", "allowed");
        check(user, facts, result.data.child, ["child"], result.errors, failures);
      }
    }
    expect(failures).toEqual([]);
  });

  it("search, the access log and the protocol what-if follow the table for every role", async () => {
    const failures: string[] = [];
    for (const user of DEMO_USERS) {
      const facts = await factsOf("9990000018", user);
      const all = (type: string) => selectAll(schema.getType(type) as GraphQLObjectType);
      // A purpose with an agreement, so the access log has every field to show.
      const withAgreement = PURPOSE.replace(
        "}",
        ', agreement: "Avonvale multi-agency information sharing agreement" }',
      );
      await cluster.query(`{ child(id: "9990000018", ${withAgreement}) { id } }`, {}, { as: "edt" });
      const calls: [string, string, Record<string, unknown>][] = [
        ["children", `{ children(search: { name: "amber" }, ${PURPOSE}) { ${all("ChildSummary")} } }`, {}],
        ["accessLog", `{ accessLog(childId: "9990000018") { ${all("AccessLogEntry")} } }`, {}],
        ["myAlerts", `{ myAlerts(unacknowledgedOnly: false) { ${all("Alert")} } }`, {}],
        [
          "evaluateProtocol",
          // One episode ended a week before asOf with no return interview: at least one flag to check.
          `{ evaluateProtocol(facts: { asOf: "2026-01-10T00:00:00Z", missingEpisodes: [{ id: "ME-1", reportedAt: "2026-01-01T00:00:00Z", foundAt: "2026-01-02T00:00:00Z", riskLevel: HIGH, cseIndicators: true }] }) { ${all("ProtocolFlag")} } }`,
          {},
        ],
      ];
      for (const [field, query, variables] of calls) {
        const result = await cluster.query(query, variables, { as: user.id });
        const unexpected = (result.errors ?? []).filter((e) => e.extensions?.code !== "FORBIDDEN");
        expect(unexpected, `${user.id} ${field}: ${JSON.stringify(unexpected)}`).toEqual([]);
        const root = { __typename: "Query", [field]: result.data?.[field] ?? null };
        check(user, facts, root, [], result.errors, failures);
      }
    }
    expect(failures).toEqual([]);
  });

  it("lets each write through only for the roles the table names", async () => {
    const mutation = schema.getMutationType()!;
    const dummy = (type: GraphQLInputType): unknown => {
      if (isNonNullType(type)) return dummy(type.ofType);
      if (isListType(type)) return [];
      if (isEnumType(type)) return type.getValues()[0].value;
      if (isInputObjectType(type))
        return Object.fromEntries(
          Object.values(type.getFields())
            .filter((f) => isNonNullType(f.type))
            .map((f) => [f.name, dummy(f.type)]),
        );
      if (isScalarType(type)) {
        if (type.name === "DateTime") return "2026-01-01T00:00:00Z";
        if (type.name === "Int" || type.name === "Float") return 1;
        if (type.name === "Boolean") return false;
        // Not a valid NHS number or id: an allowed writer is refused by validation, so nothing is written.
        return "not-a-real-id";
      }
      return null;
    };
    const failures: string[] = [];
    for (const user of DEMO_USERS) {
      for (const field of Object.values(mutation.getFields())) {
        // Every argument it requires (an input object for the agencies' writes; an id for acknowledgeAlert).
        const args = field.args.filter((a) => isNonNullType(a.type));
        const declared = args.map((a) => `$${a.name}: ${String(a.type)}`).join(", ");
        const passed = args.map((a) => `${a.name}: $${a.name}`).join(", ");
        const result = await cluster.query(
          `mutation(${declared}) { ${field.name}(${passed}) { __typename } }`,
          Object.fromEntries(args.map((a) => [a.name, dummy(a.type)])),
          { as: user.id },
        );
        const codes = (result.errors ?? []).map((e) => e.extensions?.code);
        const allowed = allowedGiven(user.role, ruleFor("Mutation", field.name), {
          missingOrRecentlyFound: false,
          allocatedSocialWorker: false,
        });
        if (allowed && codes.includes("FORBIDDEN")) failures.push(`${user.id} was refused ${field.name}`);
        if (allowed && !codes.includes("BAD_USER_INPUT"))
          failures.push(`${user.id} ${field.name}: expected BAD_USER_INPUT, got ${codes.join(", ")}`);
        if (!allowed && !codes.includes("FORBIDDEN")) failures.push(`${user.id} was not refused ${field.name}`);
        if (!allowed) {
          const error = result.errors!.find((e) => e.extensions?.code === "FORBIDDEN")!;
          expect(error.extensions?.field).toBe(`Mutation.${field.name}`);
        }
        record(user.role, `Mutation.${field.name}`, allowed ? "allowed" : "denied");
      }
    }
    expect(failures).toEqual([]);
  });

  it("serves the glossary to everyone, signed in or not", async () => {
    for (const user of [...DEMO_USERS.map((u) => u.id), null]) {
      const result = await cluster.query(
        `{ glossarySearch(query: "ICO") { id term codes { scheme code } sources { title url } relatedTerms { id } } }`,
        {},
        user ? { as: user } : { authorization: null },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data.glossarySearch[0].id).toBe("interim-care-order");
    }
  });

  it("covered every role × field cell of the table that the API exposes", () => {
    const roles = [...new Set(DEMO_USERS.map((u) => u.role))];
    const missing: string[] = [];
    let cells = 0;
    for (const [typeName, type] of Object.entries(ACCESS_POLICY)) {
      const apiType = schema.getType(typeName);
      if (!apiType || !isObjectType(apiType) || typeName.startsWith("Glossary") || typeName === "PoliceDuties")
        continue;
      for (const fieldName of Object.keys(apiType.getFields())) {
        if (typeName === "Query" && fieldName.startsWith("glossary")) continue;
        void type;
        for (const role of roles) {
          cells += 1;
          const seen =
            exercised.has(`${role} ${typeName}.${fieldName} allowed`) ||
            exercised.has(`${role} ${typeName}.${fieldName} denied`);
          if (!seen && !deniedAbove(role, typeName)) missing.push(`${role} ${typeName}.${fieldName}`);
        }
      }
    }
    console.log(
      `access policy: ${exercised.size} role × field outcomes exercised through the gateway; ${cells} cells in the API, ${missing.length} not reached`,
    );
    expect(missing.join("\n")).toBe("");
  });
});

/**
 * A cell whose type this role can never reach, because every field leading to it is denied to the role (e.g.
 * CamhsReferral for the control room): refusing the parent is how that cell is enforced.
 */
function deniedAbove(role: Role, typeName: string): boolean {
  const parents: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields()))
      if (getNamedType(field.type).name === typeName) parents.push(`${type.name} ${field.name}`);
  }
  return (
    parents.length > 0 &&
    parents.every((parent) => {
      const [t, f] = parent.split(" ");
      return (
        (exercised.has(`${role} ${t}.${f} denied`) && !exercised.has(`${role} ${t}.${f} allowed`)) ||
        (t !== "Query" && deniedAbove(role, t))
      );
    })
  );
}
