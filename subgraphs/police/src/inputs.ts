import "reflect-metadata";
import { Field, ID, InputType, Int } from "type-graphql";
import { ReturnedTo, RiskLevel } from "./entities.js";

@InputType({ description: "A new report that a child is missing." })
export class ReportMissingInput {
  @Field(() => ID, { description: "The child's NHS number." })
  childId!: string;

  @Field(() => Date)
  reportedAt!: Date;

  @Field(() => String)
  reportedBy!: string;

  @Field(() => Date)
  lastSeenAt!: Date;

  @Field(() => String)
  lastSeenLocation!: string;

  @Field(() => String, { nullable: true })
  circumstances?: string | null;

  @Field(() => RiskLevel)
  riskLevel!: RiskLevel;

  @Field(() => Boolean)
  cseIndicators!: boolean;

  @Field(() => String, { description: "The police department taking the report." })
  department!: string;
}

@InputType({ description: "The child has been found: closes the missing episode." })
export class RecordFoundInput {
  @Field(() => ID)
  episodeId!: string;

  @Field(() => Date)
  foundAt!: Date;

  @Field(() => String)
  foundLocation!: string;

  @Field(() => String)
  foundBy!: string;

  @Field(() => ReturnedTo)
  returnedTo!: ReturnedTo;

  @Field(() => Int, { nullable: true })
  heldAtPoliceStationMinutes?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Set true if the return showed CSE indicators." })
  cseIndicators?: boolean | null;

  @Field(() => RiskLevel, { nullable: true, description: "A revised risk level, if the return changed it." })
  riskLevel?: RiskLevel | null;
}

@InputType({ description: "A children's services senior manager was told the child is at a police station." })
export class RecordSeniorManagerNotificationInput {
  @Field(() => ID)
  episodeId!: string;

  @Field(() => Date)
  notifiedAt!: Date;

  @Field(() => String)
  seniorManager!: string;

  @Field(() => String)
  recordedBy!: string;
}
