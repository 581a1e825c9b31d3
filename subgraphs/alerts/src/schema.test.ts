import "reflect-metadata";
import { isNonNullType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { ROLES } from "@safeguarding/shared/identity";
import { ACCESS_POLICY, alwaysAllowed, ruleFor, type Principal } from "@safeguarding/shared/policy";
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
});
