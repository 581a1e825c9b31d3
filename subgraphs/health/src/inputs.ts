import "reflect-metadata";
import { Field, ID, InputType } from "type-graphql";
import { CamhsUrgency, MentalHealthAssessmentStatus } from "./entities.js";

@InputType({ description: "A new referral of a child to CAMHS." })
export class RecordCamhsReferralInput {
  @Field(() => ID, { description: "The child's NHS number." })
  childId!: string;

  @Field(() => Date)
  referredAt!: Date;

  @Field(() => String, { description: "Who made the referral (name and role)." })
  referredBy!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => CamhsUrgency)
  urgency!: CamhsUrgency;
}

@InputType({ description: "A request that CAMHS assess a child's mental health." })
export class RequestMentalHealthAssessmentInput {
  @Field(() => ID, { description: "The child's NHS number." })
  childId!: string;

  @Field(() => Date)
  requestedAt!: Date;

  @Field(() => String, { description: "Who is asking (name and role)." })
  requestedBy!: string;

  @Field(() => String, { description: "Why the assessment is needed, e.g. a placement decision waits on it." })
  reason!: string;
}

@InputType({ description: "Progress on a requested assessment: booked, done or declined." })
export class UpdateMentalHealthAssessmentInput {
  @Field(() => ID)
  assessmentId!: string;

  @Field(() => MentalHealthAssessmentStatus)
  status!: MentalHealthAssessmentStatus;

  @Field(() => Date, { nullable: true, description: "Required when status is SCHEDULED; may be in the future." })
  scheduledFor?: Date | null;

  @Field(() => Date, { nullable: true, description: "Required when status is COMPLETED, and only then." })
  completedAt?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: "Required when status is COMPLETED; may explain a DECLINED request; not accepted otherwise.",
  })
  outcomeSummary?: string | null;

  @Field(() => String, { description: "Who is recording this change (name and role)." })
  updatedBy!: string;
}
