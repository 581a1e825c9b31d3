import "reflect-metadata";
import { Field, ID, InputType } from "type-graphql";
import { LegalStatusCode, MeetingRiskLevel } from "./entities.js";

@InputType({ description: "A new legal status; the current one ends when this starts." })
export class RecordLegalStatusInput {
  @Field(() => ID)
  childId!: string;

  @Field(() => LegalStatusCode)
  code!: LegalStatusCode;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => String, { nullable: true })
  court?: string | null;

  @Field(() => String, { nullable: true })
  conditions?: string | null;

  @Field(() => String)
  whoDecidesWhereChildLives!: string;

  @Field(() => String)
  recordedBy!: string;
}

@InputType()
export class ContactPersonInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  role!: string;

  @Field(() => String)
  phone!: string;
}

@InputType({ description: "Replaces the child's out-of-hours plan." })
export class UpdateOutOfHoursPlanInput {
  @Field(() => ID)
  childId!: string;

  @Field(() => String)
  returnTo!: string;

  @Field(() => [String])
  doNotReturnTo!: string[];

  @Field(() => [ContactPersonInput])
  whoToCall!: ContactPersonInput[];

  @Field(() => String)
  legalAdviceRoute!: string;

  @Field(() => String, { nullable: true })
  notes?: string | null;

  @Field(() => String)
  updatedBy!: string;
}

@InputType({ description: "A named professional on the child's care team, as the social-care section shows them." })
export class CaseContactInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: "e.g. Social worker; when left out, the part they play for this child.",
  })
  role?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "How alerts reach them and how they are matched to their sign-in; without it they are not told.",
  })
  email?: string | null;

  @Field(() => String, { nullable: true, description: "Team or department." })
  team?: string | null;
}

@InputType({
  description:
    "Who the child's allocated social worker and/or named on-call manager now are; each one given replaces the one recorded.",
})
export class RecordCareTeamInput {
  @Field(() => ID)
  childId!: string;

  @Field(() => CaseContactInput, { nullable: true })
  socialWorker?: CaseContactInput | null;

  @Field(() => CaseContactInput, { nullable: true })
  onCallManager?: CaseContactInput | null;

  @Field(() => String)
  recordedBy!: string;
}

@InputType()
export class RecordDecisionInput {
  @Field(() => ID)
  childId!: string;

  @Field(() => String)
  decision!: string;

  @Field(() => String)
  decidedBy!: string;

  @Field(() => Date)
  decidedAt!: Date;

  @Field(() => Boolean)
  appliesOutOfHours!: boolean;
}

@InputType()
export class MeetingActionInput {
  @Field(() => String)
  action!: string;

  @Field(() => String)
  owner!: string;

  @Field(() => Date)
  dueAt!: Date;
}

@InputType()
export class RecordStrategyDiscussionInput {
  @Field(() => ID)
  childId!: string;

  @Field(() => Date)
  heldAt!: Date;

  @Field(() => String)
  chairedBy!: string;

  @Field(() => [String])
  agenciesPresent!: string[];

  @Field(() => [String])
  decisions!: string[];

  @Field(() => [MeetingActionInput])
  actions!: MeetingActionInput[];

  @Field(() => Date, { nullable: true })
  minutesSharedAt?: Date | null;
}

@InputType()
export class RecordStrategyMinutesSharedInput {
  @Field(() => ID)
  strategyDiscussionId!: string;

  @Field(() => Date)
  sharedAt!: Date;

  @Field(() => String)
  recordedBy!: string;
}

@InputType()
export class MeetingAttendeeInput {
  @Field(() => String)
  agency!: string;

  @Field(() => String)
  role!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;
}

@InputType()
export class IdentifiedRiskInput {
  @Field(() => String)
  category!: string;

  @Field(() => String)
  description!: string;

  @Field(() => MeetingRiskLevel)
  level!: MeetingRiskLevel;
}

@InputType({ description: "A risk-management meeting in the standard format the missing protocol asks for." })
export class RecordRiskManagementMeetingInput {
  @Field(() => ID)
  childId!: string;

  @Field(() => Date)
  heldAt!: Date;

  @Field(() => String)
  chairedBy!: string;

  @Field(() => [MeetingAttendeeInput])
  attendees!: MeetingAttendeeInput[];

  @Field(() => [IdentifiedRiskInput])
  risks!: IdentifiedRiskInput[];

  @Field(() => [String])
  protectiveFactors!: string[];

  @Field(() => [MeetingActionInput])
  actions!: MeetingActionInput[];

  @Field(() => Date)
  nextReviewAt!: Date;

  @Field(() => Boolean)
  strategyDiscussionNeeded!: boolean;

  @Field(() => String, { description: "Why a strategy discussion is or is not needed." })
  strategyDiscussionReason!: string;
}

@InputType()
export class RecordReturnInterviewInput {
  @Field(() => ID)
  childId!: string;

  @Field(() => ID, { description: "The police missing episode this interview follows." })
  missingEpisodeId!: string;

  @Field(() => Date)
  heldAt!: Date;

  @Field(() => String)
  conductedBy!: string;

  @Field(() => String, { nullable: true })
  summary?: string | null;
}
