import "reflect-metadata";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { GlossaryTermReference, linkCodesToTerms, RecordedItem, Source } from "@safeguarding/kit";

export enum RiskLevel {
  VERY_LOW = "VERY_LOW",
  LOW = "LOW",
  MEDIUM = "MEDIUM",
  HIGH = "HIGH",
}
registerEnumType(RiskLevel, {
  name: "RiskLevel",
  description: "The police risk assessment of a missing person (College of Policing APP levels).",
});

export enum ReturnedTo {
  PLACEMENT = "PLACEMENT",
  FAMILY_HOME = "FAMILY_HOME",
  POLICE_STATION = "POLICE_STATION",
  HOSPITAL = "HOSPITAL",
  OTHER = "OTHER",
}
registerEnumType(ReturnedTo, { name: "ReturnedTo", description: "Where the child was taken once found." });

export enum MissingEpisodeStatus {
  MISSING = "MISSING",
  FOUND = "FOUND",
}
registerEnumType(MissingEpisodeStatus, { name: "MissingEpisodeStatus" });

export enum CseConcernStatus {
  UNDER_INVESTIGATION = "UNDER_INVESTIGATION",
  MONITORING = "MONITORING",
  CLOSED = "CLOSED",
}
registerEnumType(CseConcernStatus, { name: "CseConcernStatus" });

export enum WarningMarkerType {
  MISSING_FROM_CARE = "MISSING_FROM_CARE",
  CSE_RISK = "CSE_RISK",
  CRIMINAL_EXPLOITATION_RISK = "CRIMINAL_EXPLOITATION_RISK",
  SELF_HARM = "SELF_HARM",
  MENTAL_HEALTH = "MENTAL_HEALTH",
  VIOLENCE = "VIOLENCE",
}
registerEnumType(WarningMarkerType, { name: "WarningMarkerType" });

export const riskLevelTerm = linkCodesToTerms("MISSING_RISK_LEVEL", Object.values(RiskLevel));

@ObjectType({ description: "One time the child was reported missing, and what happened when found." })
export class MissingEpisode extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => MissingEpisodeStatus)
  status!: MissingEpisodeStatus;

  @Field(() => Date)
  reportedAt!: Date;

  @Field(() => String, { description: "Who reported the child missing (e.g. the placement's carer)." })
  reportedBy!: string;

  @Field(() => Date)
  lastSeenAt!: Date;

  @Field(() => String)
  lastSeenLocation!: string;

  @Field(() => String, { nullable: true })
  circumstances!: string | null;

  @Field(() => RiskLevel)
  riskLevel!: RiskLevel;

  @Field(() => GlossaryTermReference, { description: "What this risk level means for the police response." })
  riskLevelTerm!: GlossaryTermReference;

  @Field(() => Boolean, {
    description: "Whether the report or the return showed child sexual exploitation indicators.",
  })
  cseIndicators!: boolean;

  @Field(() => Date, { nullable: true })
  foundAt!: Date | null;

  @Field(() => String, { nullable: true })
  foundLocation!: string | null;

  @Field(() => String, { nullable: true })
  foundBy!: string | null;

  @Field(() => ReturnedTo, { nullable: true })
  returnedTo!: ReturnedTo | null;

  @Field(() => Int, {
    nullable: true,
    description: "Minutes the child was held at a police station after being found.",
  })
  heldAtPoliceStationMinutes!: number | null;

  @Field(() => Date, {
    nullable: true,
    description: "When a children's services senior manager was told the child was at a police station.",
  })
  seniorManagerNotifiedAt!: Date | null;

  @Field(() => String, { nullable: true })
  seniorManagerNotified!: string | null;

  @Field(() => String, { description: "The police department that holds this episode." })
  department!: string;
}

@ObjectType({ description: "A period of police protection (Children Act 1989 s46): at most 72 hours." })
export class PoliceProtectionEpisode extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  endedAt!: Date | null;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { description: "The officer who took the child into police protection." })
  initiatingOfficer!: string;

  @Field(() => String, { description: "The designated officer who reviews the case and may apply for an EPO." })
  designatedOfficer!: string;
}

@ObjectType({ description: "A child sexual exploitation concern the police hold." })
export class CseConcern extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: "What the concern is. Null, with FORBIDDEN, for roles that may see only that a concern exists.",
  })
  summary!: string | null;

  @Field(() => CseConcernStatus)
  status!: CseConcernStatus;

  @Field(() => String, { nullable: true, description: "The officer leading it (same access as summary)." })
  officer!: string | null;

  @Field(() => Date)
  openedAt!: Date;
}

@ObjectType({ description: "A warning marker on the police record, for officers' and the child's safety." })
export class WarningMarker extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => WarningMarkerType)
  marker!: WarningMarkerType;

  @Field(() => String, { nullable: true, description: "Null, with FORBIDDEN, for roles that see only the marker." })
  detail!: string | null;
}

@ObjectType({ description: "The police officer leading work about this child." })
export class OfficerInCase extends RecordedItem {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  role!: string;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true })
  team!: string | null;
}

@ObjectType({ description: "What the police hold about a child, across all police departments." })
export class PoliceRecord {
  nhsNumber!: string;

  @Field(() => Source, { description: "The police system of record for this child." })
  source!: Source;
}

@ObjectType()
@Directive('@key(fields: "id")')
export class Child {
  @Field(() => ID, { description: "The child's NHS number, 10 digits." })
  id!: string;
}
