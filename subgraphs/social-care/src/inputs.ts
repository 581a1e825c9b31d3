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
