import "reflect-metadata";
import { isNonNullType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { ROLES } from "@safeguarding/shared/identity";
import { ACCESS_POLICY, alwaysAllowed, PROTOCOL_ENGINE, ruleFor, type Principal } from "@safeguarding/shared/policy";
import { buildAlertsSchema } from "./schema.js";

const { schema } = buildAlertsSchema();
const served = Object.values(schema.getTypeMap()).filter(
  (t) => isObjectType(t) && !t.name.startsWith("_") && !t.name.startsWith("__"),
);

describe("the alerts schema against the access policy", () => {
  it("has a policy row for every type and root field it serves", () => {
    expect(served.map((t) => t.name).filter((name) => !ACCESS_POLICY[name])).toEqual([]);
    expect(ruleFor("Query", "myAlerts")?.allow).not.toEqual([]);
    expect(ruleFor("Mutation", "acknowledgeAlert")?.allow).not.toEqual([]);
  });

  it("lets every role that may call myAlerts see every Alert field, so no non-null field is ever refused", () => {
    const callers = (ROLES as readonly Principal[]).filter((role) => alwaysAllowed(role, ruleFor("Query", "myAlerts")));
    expect(callers).not.toContain("AUDITOR");
    expect(callers).not.toContain("TRAINING_SUPERVISOR");
    const alert = schema.getType("Alert");
    if (!isObjectType(alert)) throw new Error("Alert is not an object type");
    for (const field of Object.values(alert.getFields()))
      for (const role of callers)
        if (isNonNullType(field.type)) expect(alwaysAllowed(role, ruleFor("Alert", field.name)), field.name).toBe(true);
  });

  it("lets the roles who see the action card's risks see a child's unacknowledged alerts, and every field of them", () => {
    const readers = ([...ROLES, PROTOCOL_ENGINE] as Principal[]).filter((p) =>
      alwaysAllowed(p, ruleFor("Child", "alerts")),
    );
    expect(readers.sort()).toEqual(
      ["CONTROL_ROOM", "EDT", "HEALTH_CAMHS", "POLICE_SAFEGUARDING", "RESPONSE_OFFICER", "SOCIAL_WORKER"].sort(),
    );
    const child = schema.getType("Child");
    if (!isObjectType(child)) throw new Error("Child is not an object type");
    // Refused to some who may read the child: nullable, so a refusal nulls only this field.
    expect(isNonNullType(child.getFields().alerts.type)).toBe(false);
    for (const typeName of ["ChildAlert", "AlertRecipient"]) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
      // Not the caller's own alert: nothing on it to acknowledge.
      expect(Object.keys(type.getFields())).not.toContain("id");
      for (const field of Object.values(type.getFields()))
        for (const role of readers)
          expect(alwaysAllowed(role, ruleFor(typeName, field.name)), `${typeName}.${field.name}`).toBe(true);
    }
  });
});
