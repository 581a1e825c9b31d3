import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Supergraph } from "@apollo/federation-internals";
import { getNamedType, isNonNullType, isObjectType, type GraphQLSchema } from "graphql";
import { ACCESS_POLICY, alwaysAllowed, PROTOCOL_ENGINE, ruleFor, type Principal } from "@safeguarding/shared/policy";
import { ROLES } from "@safeguarding/shared/identity";

/** The API clients see: the committed supergraph without its @inaccessible parts. */
const api: GraphQLSchema = Supergraph.build(readFileSync(new URL("../supergraph.graphql", import.meta.url), "utf8"))
  .apiSchema()
  .toGraphQLJSSchema();

const objectTypes = Object.values(api.getTypeMap()).filter((t) => isObjectType(t) && !t.name.startsWith("__"));

/** Whether a principal may ever see a field (always, or when a condition holds). */
function mayEverSee(principal: Principal, typeName: string, fieldName: string): boolean {
  const rule = ruleFor(typeName, fieldName);
  return alwaysAllowed(principal, rule) || (rule?.allowIf?.roles.includes(principal) ?? false);
}

/** The types a principal can reach from the root fields through fields it may ever see. */
function reachable(principal: Principal): Set<string> {
  const seen = new Set<string>();
  const queue = ["Query", "Mutation"];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const type = api.getType(name);
    if (!type || !isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (isObjectType(named) && mayEverSee(principal, name, field.name)) queue.push(named.name);
    }
  }
  return seen;
}

/** The rules of the fields through which a principal reaches a type. */
function incomingRules(principal: Principal, typeName: string) {
  const rules = [];
  for (const type of objectTypes)
    if (isObjectType(type))
      for (const field of Object.values(type.getFields()))
        if (getNamedType(field.type).name === typeName && mayEverSee(principal, type.name, field.name))
          rules.push(ruleFor(type.name, field.name));
  return rules;
}

describe("the access policy table against the API schema", () => {
  it("covers every object type the API has, and names no type the API lacks", () => {
    const inApi = objectTypes.map((t) => t.name).sort();
    expect(inApi.filter((name) => !ACCESS_POLICY[name])).toEqual([]);
    // AgencySubject is the agencies' @inaccessible index type: the gateway's child index reads it, clients never do.
    expect(Object.keys(ACCESS_POLICY).filter((name) => !api.getType(name))).toEqual(["AgencySubject"]);
  });

  it("names only fields the API has", () => {
    const stale: string[] = [];
    for (const [typeName, type] of Object.entries(ACCESS_POLICY)) {
      const apiType = api.getType(typeName);
      if (!apiType || !isObjectType(apiType)) continue;
      for (const field of Object.keys(type.fields ?? {}))
        // The agencies' @inaccessible queries (the child index's and the protocol watch's) are not in the API.
        if (!apiType.getFields()[field] && !/Subjects|SubjectSearch|ProtocolWatch/.test(field))
          stale.push(`${typeName}.${field}`);
    }
    expect(stale).toEqual([]);
  });

  it("makes every field a role may be refused nullable, so a refusal nulls only that field", () => {
    const unsafe = new Set<string>();
    for (const principal of [...ROLES, PROTOCOL_ENGINE] as Principal[]) {
      for (const typeName of reachable(principal)) {
        const type = api.getType(typeName);
        if (!type || !isObjectType(type) || typeName === "Query" || typeName === "Mutation") continue;
        const incoming = incomingRules(principal, typeName);
        for (const field of Object.values(type.getFields())) {
          const rule = ruleFor(typeName, field.name);
          if (alwaysAllowed(principal, rule) || !isNonNullType(field.type)) continue;
          // Safe when the principal reaches this type only under the same condition, about the same child.
          const sameCondition =
            rule?.allowIf?.roles.includes(principal) &&
            incoming.every((r) => !alwaysAllowed(principal, r) && r?.allowIf?.condition === rule.allowIf!.condition);
          if (!sameCondition) unsafe.add(`${typeName}.${field.name} (refused to ${principal})`);
        }
      }
    }
    expect([...unsafe]).toEqual([]);
  });

  it("keeps clinical detail, CSE intelligence and the audit trail from the front line", () => {
    for (const role of ["CONTROL_ROOM", "RESPONSE_OFFICER"] as const) {
      for (const [type, field] of [
        ["MentalHealthAssessment", "outcomeSummary"],
        ["MentalHealthAssessment", "reason"],
        ["CseConcern", "summary"],
        ["HealthRecord", "camhsReferrals"],
        ["Child", "recentlyViewedBy"],
        ["Query", "accessLog"],
      ])
        expect(mayEverSee(role, type, field), `${role} ${type}.${field}`).toBe(false);
      // …but they do see what they need at 2 a.m.
      for (const [type, field] of [
        ["SocialCareRecord", "legalStatus"],
        ["LegalStatus", "term"],
        ["SocialCareRecord", "outOfHoursPlan"],
        ["SocialCareRecord", "onCallManager"],
        ["WarningMarker", "detail"],
        ["HealthRecord", "escalationRoute"],
        ["MentalHealthAssessment", "status"],
      ])
        expect(alwaysAllowed(role, ruleFor(type, field)), `${role} ${type}.${field}`).toBe(true);
      expect(alwaysAllowed(role, ruleFor("Placement", "address"))).toBe(false);
      expect(ruleFor("Placement", "address")?.allowIf?.condition).toBe("MISSING_OR_RECENTLY_FOUND");
    }
    for (const type of ["MissingEpisode", "LegalStatus", "Placement", "MentalHealthAssessment", "CseConcern"])
      expect(mayEverSee("AUDITOR", type, "id"), type).toBe(false);
    expect(alwaysAllowed("AUDITOR", ruleFor("Query", "accessLog"))).toBe(true);
  });

  it("shows a child's unacknowledged alerts to the roles that see the action card's risks, and no one else", () => {
    const readers = ([...ROLES, PROTOCOL_ENGINE] as Principal[]).filter((p) => mayEverSee(p, "Child", "alerts"));
    const cardReaders = ([...ROLES] as Principal[]).filter((p) => mayEverSee(p, "ActionCard", "risks"));
    expect(readers).toEqual(cardReaders);
    for (const principal of ["AUDITOR", "TRAINING_SUPERVISOR", PROTOCOL_ENGINE] as Principal[])
      expect(mayEverSee(principal, "Child", "alerts"), principal).toBe(false);
  });
});
