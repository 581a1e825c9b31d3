import "reflect-metadata";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { RecordedItem, Source } from "@safeguarding/kit";

export enum CamhsUrgency {
  ROUTINE = "ROUTINE",
  URGENT = "URGENT",
  EMERGENCY = "EMERGENCY",
}
registerEnumType(CamhsUrgency, { name: "CamhsUrgency", description: "How soon the referrer asked CAMHS to respond." });

export enum CamhsReferralStatus {
  RECEIVED = "RECEIVED",
  ACCEPTED = "ACCEPTED",
  ASSESSMENT_BOOKED = "ASSESSMENT_BOOKED",
  DECLINED = "DECLINED",
  CLOSED = "CLOSED",
}
registerEnumType(CamhsReferralStatus, {
  name: "CamhsReferralStatus",
  description: "Where a CAMHS referral has got to.",
});

export enum MentalHealthAssessmentStatus {
  REQUESTED = "REQUESTED",
  SCHEDULED = "SCHEDULED",
  COMPLETED = "COMPLETED",
  DECLINED = "DECLINED",
}
registerEnumType(MentalHealthAssessmentStatus, {
  name: "MentalHealthAssessmentStatus",
  description: "Where a request for a mental-health assessment has got to. COMPLETED and DECLINED are final.",
});

/** Which ladder a step belongs to; stored in escalation_steps.ladder. */
export enum EscalationLadder {
  IN_HOURS = "IN_HOURS",
  OUT_OF_HOURS = "OUT_OF_HOURS",
}

@ObjectType({ description: "The GP practice the child is registered with." })
export class GpPractice extends RecordedItem {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "The practice's Organisation Data Service (ODS) code." })
  odsCode!: string;

  @Field(() => String)
  phone!: string;

  @Field(() => String)
  address!: string;
}

@ObjectType({ description: "A referral to child and adolescent mental health services (CAMHS)." })
export class CamhsReferral extends RecordedItem {
  /** The child it belongs to, for the access policy's conditions. Not in the schema. */
  nhsNumber!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  referredAt!: Date;

  @Field(() => String, { description: "Who made the referral (name and role)." })
  referredBy!: string;

  @Field(() => String, {
    nullable: true,
    description: "Clinical detail: CAMHS and the child's allocated social worker only; otherwise null with FORBIDDEN.",
  })
  reason!: string | null;

  @Field(() => CamhsUrgency)
  urgency!: CamhsUrgency;

  @Field(() => CamhsReferralStatus)
  status!: CamhsReferralStatus;
}

@ObjectType({
  description:
    "A request for a CAMHS mental-health assessment of the child. This is not a Mental Health Act assessment, " +
    "which an AMHP and two doctors carry out to decide on compulsory admission.",
})
export class MentalHealthAssessment extends RecordedItem {
  /** The child it belongs to, for the access policy's conditions. Not in the schema. */
  nhsNumber!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  requestedAt!: Date;

  @Field(() => String, { description: "Who asked for the assessment (name and role)." })
  requestedBy!: string;

  @Field(() => String, {
    nullable: true,
    description: "Clinical detail: CAMHS and the child's allocated social worker only; otherwise null with FORBIDDEN.",
  })
  reason!: string | null;

  @Field(() => MentalHealthAssessmentStatus)
  status!: MentalHealthAssessmentStatus;

  @Field(() => Date, { nullable: true, description: "When the assessment is or was booked for." })
  scheduledFor!: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      "What the assessment found, or why it was declined. Clinical detail: CAMHS and the child's allocated social worker only.",
  })
  outcomeSummary!: string | null;
}

@ObjectType({ description: "One rung of an escalation ladder: whom to call, and when to go to the next rung." })
export class EscalationStep extends RecordedItem {
  @Field(() => Int, { description: "1 is the first call to make." })
  position!: number;

  @Field(() => String)
  role!: string;

  @Field(() => String, { description: "The person or service to ask for." })
  contact!: string;

  @Field(() => String)
  phone!: string;

  @Field(() => String, { nullable: true, description: "When this contact can be reached, e.g. 24 hours, every day." })
  availability!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "Go to the next step if there is no useful response within this many minutes; null on the last step.",
  })
  escalateIfNoResponseWithinMinutes!: number | null;
}

@ObjectType({
  description:
    "Whom to call to get a mental-health assessment for a child in this area, and how to escalate when there is no " +
    "response. Local arrangements held in the area's directory, not a national route.",
})
export class EscalationRoute {
  @Field(() => String, { description: "The area these arrangements cover." })
  area!: string;

  @Field(() => [EscalationStep], { description: "During the service's working hours, first step first." })
  inHours!: EscalationStep[];

  @Field(() => [EscalationStep], { description: "Evenings, nights, weekends and bank holidays, first step first." })
  outOfHours!: EscalationStep[];
}

@ObjectType({ description: "What health (the GP record and CAMHS) holds about a child." })
export class HealthRecord {
  nhsNumber!: string;

  area!: string;

  @Field(() => Source, { description: "The health system of record for this child." })
  source!: Source;
}

@ObjectType()
@Directive('@key(fields: "id")')
export class Child {
  @Field(() => ID, { description: "The child's NHS number, 10 digits." })
  id!: string;
}
