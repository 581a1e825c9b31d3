import "reflect-metadata";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Agency } from "@safeguarding/kit";
import { ALERT_KINDS, type AlertKind as EventAlertKind } from "@safeguarding/shared/events";

/** The kinds of @safeguarding/shared/events, as a GraphQL enum: `AlertKind.FOUND === "FOUND"`. */
export const AlertKind = Object.fromEntries(ALERT_KINDS.map((kind) => [kind, kind])) as {
  [K in EventAlertKind]: K;
};
export type AlertKind = EventAlertKind;
registerEnumType(AlertKind, { name: "AlertKind", description: "What happened that someone must be told about." });

@ObjectType({ description: "Something that happened to a child that you must know about now, addressed to you." })
export class Alert {
  @Field(() => ID)
  id!: string;

  @Field(() => AlertKind)
  kind!: AlertKind;

  @Field(() => ID, { description: "The child's NHS number, 10 digits." })
  childId!: string;

  @Field(() => Date)
  raisedAt!: Date;

  @Field(() => String, { description: "One line: the child, what happened and when (never clinical or CSE detail)." })
  summary!: string;

  @Field(() => String, { description: 'Why you were told, e.g. "out of hours: EDT".' })
  reason!: string;

  @Field(() => Agency, { description: "The agency that recorded what happened." })
  sourceAgency!: Agency;

  @Field(() => Date, { nullable: true })
  acknowledgedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "Who acknowledged it." })
  acknowledgedBy!: string | null;

  @Field(() => String, { nullable: true, description: "What they said when they acknowledged it." })
  acknowledgeNote!: string | null;

  @Field(() => [String], {
    description: "Who the event was escalated to because nobody acknowledged it in time, in order.",
  })
  escalatedTo!: string[];
}

@ObjectType({ description: "Someone an alert about a child was sent to, and why." })
export class AlertRecipient {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Why they were told, e.g. "allocated social worker" or "out of hours: EDT".' })
  reason!: string;
}

/**
 * An event about a child that people were told of and none of them has acknowledged yet, as anyone working the
 * child's case sees it: one per event, whoever it went to. Not the caller's own Alert: it has no id to acknowledge,
 * no per-recipient reason and no acknowledgement.
 */
@ObjectType({
  description:
    "Something that happened to the child that people were told about and none of them has acknowledged yet: one per event, whoever it went to.",
})
export class ChildAlert {
  @Field(() => AlertKind)
  kind!: AlertKind;

  @Field(() => Date, { description: "When the first people were told." })
  raisedAt!: Date;

  @Field(() => String, { description: "One line: the child, what happened and when (never clinical or CSE detail)." })
  summary!: string;

  @Field(() => Agency, { description: "The agency that recorded what happened." })
  sourceAgency!: Agency;

  @Field(() => [AlertRecipient], { description: "Who was told when it was raised, with why." })
  sentTo!: AlertRecipient[];

  @Field(() => [String], {
    description: "Who it was escalated to because nobody acknowledged it in time, in order.",
  })
  escalatedTo!: string[];
}

@ObjectType()
@Directive('@key(fields: "id")')
export class Child {
  @Field(() => ID, { description: "The child's NHS number, 10 digits." })
  id!: string;
}
