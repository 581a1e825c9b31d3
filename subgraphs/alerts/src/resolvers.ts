import "reflect-metadata";
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { compactNhsNumber } from "@safeguarding/shared/nhs-number";
import { CHILD_ALERTS_LIMIT, forbidden, MAX_FIRST } from "./alerts.js";
import type { AlertsContext } from "./context.js";
import { Alert, Child, ChildAlert } from "./entities.js";

/** Alerts are addressed by email: a caller whose account has none can have none. */
function callerEmail(context: AlertsContext, field: string): string {
  const email = context.grant.identity.email?.trim().toLowerCase();
  if (!email)
    throw forbidden(
      "Your account has no verified email address, and alerts are addressed to people by email: ask your administrator to add your verified work email to your account, then sign in again.",
      field,
    );
  return email;
}

@Resolver(() => Alert)
export class AlertResolver {
  @Query(() => [Alert], { description: "The alerts addressed to you (your verified email), newest first." })
  async myAlerts(
    @Arg("unacknowledgedOnly", () => Boolean, { nullable: true, defaultValue: true })
    unacknowledgedOnly: boolean | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50, description: `1 to ${MAX_FIRST}.` })
    first: number | null,
    @Ctx() context: AlertsContext,
  ): Promise<Alert[]> {
    const email = callerEmail(context, "Query.myAlerts");
    const alerts = await context.alerts.alertsFor(email, {
      unacknowledgedOnly: unacknowledgedOnly ?? true,
      first: first ?? 50,
    });
    // The read is audited (by the kit, before the answer leaves) naming every child the alerts are about.
    for (const alert of alerts) context.access.childIds.add(alert.childId);
    return alerts as Alert[];
  }

  @Mutation(() => Alert, {
    description: "Say you have seen an alert addressed to you: it records when and by whom, and stops its escalation.",
  })
  async acknowledgeAlert(
    @Arg("id", () => ID) id: string,
    @Arg("note", () => String, { nullable: true, description: "At most 500 characters." }) note: string | null,
    @Ctx() context: AlertsContext,
  ): Promise<Alert> {
    // The policy takes a root field's `id` argument for a child's NHS number; here it is an alert's id, not a child.
    context.access.childIds.delete(compactNhsNumber(id));
    const email = callerEmail(context, "Mutation.acknowledgeAlert");
    const alert = await context.alerts.acknowledge(id, note, {
      name: context.grant.identity.name,
      email,
      actor: context,
    });
    return alert as Alert;
  }
}

@Resolver(() => Child)
export class ChildAlertsResolver {
  @FieldResolver(() => [ChildAlert], {
    nullable: true,
    description: `What people were told about this child and none of them has acknowledged yet, newest first, at most ${CHILD_ALERTS_LIMIT}: one per event, whoever it went to. Null when the alerts service could not be asked.`,
  })
  async alerts(@Root() child: Child, @Ctx() context: AlertsContext): Promise<ChildAlert[]> {
    // The read is audited (by the kit, before the answer leaves) naming the child, as myAlerts' reads are.
    context.access.childIds.add(child.id);
    return (await context.alerts.unacknowledgedForChild(child.id)) as ChildAlert[];
  }
}
