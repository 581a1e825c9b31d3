import "reflect-metadata";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
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
