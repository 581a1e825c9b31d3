import "reflect-metadata";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { ContactPerson, GlossaryTermReference, linkCodesToTerms, RecordedItem, Source } from "@safeguarding/kit";

/** SSDA903 legal-status codes (field LS), the DfE's 2024-25 valid list. */
export enum LegalStatusCode {
  C1 = "C1",
  C2 = "C2",
  D1 = "D1",
  E1 = "E1",
  V2 = "V2",
  V3 = "V3",
  V4 = "V4",
  J1 = "J1",
  J2 = "J2",
  J3 = "J3",
  L1 = "L1",
  L2 = "L2",
  L3 = "L3",
}
registerEnumType(LegalStatusCode, {
  name: "LegalStatusCode",
  description:
    "SSDA903 legal status: C1 interim care order, C2 care order, V2 s20 accommodation, L1 police protection, L2 EPO...",
});

export enum ChildProtectionCategory {
  NEG = "NEG",
  PHY = "PHY",
  SAB = "SAB",
  EMO = "EMO",
  MUL = "MUL",
}
registerEnumType(ChildProtectionCategory, {
  name: "ChildProtectionCategory",
  description: "Child protection plan category: neglect, physical, sexual or emotional abuse, or multiple.",
});

/** SSDA903 placement types (field PLACE). Z11-Z14 are left out until their meanings are published. */
export enum PlacementTypeCode {
  A3 = "A3",
  A4 = "A4",
  A5 = "A5",
  A6 = "A6",
  H5 = "H5",
  K1 = "K1",
  K2 = "K2",
  K3 = "K3",
  P1 = "P1",
  P2 = "P2",
  P3 = "P3",
  R1 = "R1",
  R2 = "R2",
  R3 = "R3",
  R5 = "R5",
  S1 = "S1",
  T0 = "T0",
  T1 = "T1",
  T2 = "T2",
  T3 = "T3",
  T4 = "T4",
  U1 = "U1",
  U2 = "U2",
  U3 = "U3",
  U4 = "U4",
  U5 = "U5",
  U6 = "U6",
  Z1 = "Z1",
}
registerEnumType(PlacementTypeCode, { name: "PlacementTypeCode", description: "SSDA903 placement type." });

export enum MeetingRiskLevel {
  LOW = "LOW",
  MEDIUM = "MEDIUM",
  HIGH = "HIGH",
}
registerEnumType(MeetingRiskLevel, { name: "MeetingRiskLevel", description: "A risk's level as agreed at a meeting." });

export const legalStatusTerm = linkCodesToTerms("SSDA903_LEGAL_STATUS", Object.values(LegalStatusCode));
export const childProtectionTerm = linkCodesToTerms("CP_CATEGORY", Object.values(ChildProtectionCategory));
export const placementTerm = linkCodesToTerms("SSDA903_PLACEMENT", Object.values(PlacementTypeCode));

@ObjectType({
  description: "The child's legal status: who has parental responsibility and who decides where the child lives.",
})
export class LegalStatus extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => LegalStatusCode)
  code!: LegalStatusCode;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  endedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "The court that made the order, where there is one." })
  court!: string | null;

  @Field(() => String, { nullable: true, description: "What the order or plan says, e.g. contact limits." })
  conditions!: string | null;

  @Field(() => String, { description: "Who decides where the child lives, in plain words." })
  whoDecidesWhereChildLives!: string;

  @Field(() => GlossaryTermReference, {
    description: "What this legal status means and what an officer must and must not do.",
  })
  term!: GlossaryTermReference;
}

@ObjectType({ description: "A child protection plan." })
export class ChildProtectionPlan extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => ChildProtectionCategory)
  category!: ChildProtectionCategory;

  @Field(() => GlossaryTermReference, { description: "What the category means." })
  term!: GlossaryTermReference;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  endedAt!: Date | null;
}

@ObjectType({ description: "Where the local authority has placed the child." })
export class Placement extends RecordedItem {
  /** The child it belongs to: the access policy's placement-address condition needs it. Not in the schema. */
  nhsNumber!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => PlacementTypeCode)
  typeCode!: PlacementTypeCode;

  @Field(() => GlossaryTermReference, { description: "What this type of placement is." })
  term!: GlossaryTermReference;

  @Field(() => String)
  name!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Null, with FORBIDDEN, for police roles unless a missing episode for the child is open, and for health roles.",
  })
  address!: string | null;

  @Field(() => String, { description: "The carer or home manager." })
  carer!: string;

  @Field(() => String)
  phone!: string;

  @Field(() => Date)
  startedAt!: Date;
}

@ObjectType({ description: "A named professional, with when and where the details were recorded." })
export class CaseContact extends RecordedItem {
  @Field(() => ContactPerson)
  person!: ContactPerson;
}

@ObjectType({ description: "The plan for out-of-hours staff if the child is found or in crisis." })
export class OutOfHoursPlan extends RecordedItem {
  /** The child it belongs to, for the access policy's conditions. Not in the schema. */
  nhsNumber!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "If found: where to take the child. Usually the placement, so shown as the placement address is: to social care always, to police while a missing episode is open, not to health roles.",
  })
  returnTo!: string | null;

  @Field(() => [String], { description: "If found: where the child must not be taken." })
  doNotReturnTo!: string[];

  @Field(() => [ContactPerson], { description: "Who to call, in order." })
  whoToCall!: ContactPerson[];

  @Field(() => String, { description: "How the Emergency Duty Team gets legal advice out of hours." })
  legalAdviceRoute!: string;

  @Field(() => String, { nullable: true })
  notes!: string | null;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => String)
  updatedBy!: string;
}

@ObjectType({ description: "A decision already made about the child, so out-of-hours staff can follow it." })
export class CaseDecision extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  decision!: string;

  @Field(() => String)
  decidedBy!: string;

  @Field(() => Date)
  decidedAt!: Date;

  @Field(() => Boolean)
  appliesOutOfHours!: boolean;
}

@ObjectType({ description: "An action agreed at a meeting." })
export class MeetingAction {
  @Field(() => String)
  action!: string;

  @Field(() => String)
  owner!: string;

  @Field(() => Date)
  dueAt!: Date;

  @Field(() => Date, { nullable: true })
  doneAt!: Date | null;
}

@ObjectType({ description: "A strategy discussion (Working Together 2023) about significant harm." })
export class StrategyDiscussion extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  heldAt!: Date;

  @Field(() => String)
  chairedBy!: string;

  @Field(() => [String])
  agenciesPresent!: string[];

  @Field(() => [String])
  decisions!: string[];

  @Field(() => [MeetingAction])
  actions!: MeetingAction[];

  @Field(() => Date, { nullable: true, description: "When the minutes were sent to every agency present." })
  minutesSharedAt!: Date | null;
}

@ObjectType({ description: "Who attended a meeting." })
export class MeetingAttendee {
  @Field(() => String)
  agency!: string;

  @Field(() => String)
  role!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;
}

@ObjectType({ description: "A risk identified at a risk-management meeting." })
export class IdentifiedRisk {
  @Field(() => String, { description: "e.g. CSE, going missing, self-harm, criminal exploitation." })
  category!: string;

  @Field(() => String)
  description!: string;

  @Field(() => MeetingRiskLevel)
  level!: MeetingRiskLevel;
}

@ObjectType({ description: "A missing-from-care risk-management meeting, in the standard format." })
export class RiskManagementMeeting extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  heldAt!: Date;

  @Field(() => String)
  chairedBy!: string;

  @Field(() => [MeetingAttendee])
  attendees!: MeetingAttendee[];

  @Field(() => [IdentifiedRisk])
  risks!: IdentifiedRisk[];

  @Field(() => [String])
  protectiveFactors!: string[];

  @Field(() => [MeetingAction])
  actions!: MeetingAction[];

  @Field(() => Date)
  nextReviewAt!: Date;

  @Field(() => Boolean)
  strategyDiscussionNeeded!: boolean;

  @Field(() => String, { nullable: true })
  strategyDiscussionReason!: string | null;
}

@ObjectType({ description: "A return home interview after a missing episode." })
export class ReturnInterview extends RecordedItem {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: "The police missing episode it follows." })
  missingEpisodeId!: string;

  @Field(() => Date)
  heldAt!: Date;

  @Field(() => String)
  conductedBy!: string;

  @Field(() => String, { nullable: true })
  summary!: string | null;
}

@ObjectType({ description: "The child's school and any bespoke attendance plan." })
export class Education extends RecordedItem {
  @Field(() => String)
  school!: string;

  @Field(() => String, { nullable: true, description: "e.g. short days so a professional sees the child daily." })
  attendancePlan!: string | null;

  @Field(() => String, { nullable: true })
  planContact!: string | null;
}

@ObjectType({ description: "What children's social care holds about a child." })
export class SocialCareRecord {
  nhsNumber!: string;

  @Field(() => Source)
  source!: Source;
}

@ObjectType()
@Directive('@key(fields: "id")')
export class Child {
  @Field(() => ID, { description: "The child's NHS number, 10 digits." })
  id!: string;
}
