import "reflect-metadata";
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import {
  CaseContact,
  CaseDecision,
  Child,
  ChildProtectionPlan,
  Education,
  LegalStatus,
  OutOfHoursPlan,
  Placement,
  ReturnInterview,
  RiskManagementMeeting,
  SocialCareRecord,
  StrategyDiscussion,
} from "./entities.js";
import {
  RecordCareTeamInput,
  RecordDecisionInput,
  RecordLegalStatusInput,
  RecordReturnInterviewInput,
  RecordRiskManagementMeetingInput,
  RecordStrategyDiscussionInput,
  RecordStrategyMinutesSharedInput,
  UpdateOutOfHoursPlanInput,
} from "./inputs.js";
import type { SocialCareContext } from "./context.js";
import { toSocialCareRecord } from "./service.js";

@Resolver(() => Child)
export class ChildSocialCareResolver {
  @FieldResolver(() => SocialCareRecord, {
    nullable: true,
    description: "What children's social care holds; null when they know nothing of this child.",
  })
  async socialCare(@Root() child: Child, @Ctx() context: SocialCareContext): Promise<SocialCareRecord | null> {
    if (!(await context.subjects.known(child.id))) return null;
    return toSocialCareRecord(child.id);
  }
}

const NETWORK_ONLY =
  "For the professional network (police safeguarding, social care, CAMHS); null, with FORBIDDEN, for other roles.";

@Resolver(() => SocialCareRecord)
export class SocialCareRecordResolver {
  @FieldResolver(() => LegalStatus, { nullable: true, description: "The legal status in force now." })
  async legalStatus(@Root() record: SocialCareRecord, @Ctx() context: SocialCareContext): Promise<LegalStatus | null> {
    const history = (await context.loaders.legalStatuses(record.nhsNumber)) ?? [];
    return history.find((status) => status.endedAt === null) ?? null;
  }

  @FieldResolver(() => [LegalStatus], { description: "Every legal status, newest first." })
  async legalStatusHistory(
    @Root() record: SocialCareRecord,
    @Ctx() context: SocialCareContext,
  ): Promise<LegalStatus[]> {
    return (await context.loaders.legalStatuses(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => ChildProtectionPlan, {
    nullable: true,
    description: "The child protection plan in force, if any.",
  })
  async childProtectionPlan(
    @Root() record: SocialCareRecord,
    @Ctx() context: SocialCareContext,
  ): Promise<ChildProtectionPlan | null> {
    const plans = (await context.loaders.childProtectionPlans(record.nhsNumber)) ?? [];
    return plans.find((plan) => plan.endedAt === null) ?? null;
  }

  @FieldResolver(() => Placement, { nullable: true, description: "The current placement." })
  async placement(@Root() record: SocialCareRecord, @Ctx() context: SocialCareContext): Promise<Placement | null> {
    return (await context.loaders.placement(record.nhsNumber)) ?? null;
  }

  @FieldResolver(() => CaseContact, { nullable: true })
  async socialWorker(@Root() record: SocialCareRecord, @Ctx() context: SocialCareContext): Promise<CaseContact | null> {
    return (await context.loaders.contacts(record.nhsNumber))?.get("SOCIAL_WORKER") ?? null;
  }

  @FieldResolver(() => CaseContact, { nullable: true })
  async teamManager(@Root() record: SocialCareRecord, @Ctx() context: SocialCareContext): Promise<CaseContact | null> {
    return (await context.loaders.contacts(record.nhsNumber))?.get("TEAM_MANAGER") ?? null;
  }

  @FieldResolver(() => CaseContact, {
    nullable: true,
    description: "The named, consistent manager who makes out-of-hours decisions for this child.",
  })
  async onCallManager(
    @Root() record: SocialCareRecord,
    @Ctx() context: SocialCareContext,
  ): Promise<CaseContact | null> {
    return (await context.loaders.contacts(record.nhsNumber))?.get("ON_CALL_MANAGER") ?? null;
  }

  @FieldResolver(() => OutOfHoursPlan, { nullable: true })
  async outOfHoursPlan(
    @Root() record: SocialCareRecord,
    @Ctx() context: SocialCareContext,
  ): Promise<OutOfHoursPlan | null> {
    return (await context.loaders.outOfHoursPlan(record.nhsNumber)) ?? null;
  }

  @FieldResolver(() => [CaseDecision], { description: "Decisions already made, newest first." })
  async decisions(@Root() record: SocialCareRecord, @Ctx() context: SocialCareContext): Promise<CaseDecision[]> {
    return (await context.loaders.decisions(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => [StrategyDiscussion], { nullable: true, description: NETWORK_ONLY })
  async strategyDiscussions(
    @Root() record: SocialCareRecord,
    @Ctx() context: SocialCareContext,
  ): Promise<StrategyDiscussion[]> {
    return (await context.loaders.strategyDiscussions(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => [RiskManagementMeeting], { nullable: true, description: NETWORK_ONLY })
  async riskManagementMeetings(
    @Root() record: SocialCareRecord,
    @Ctx() context: SocialCareContext,
  ): Promise<RiskManagementMeeting[]> {
    return (await context.loaders.riskManagementMeetings(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => [ReturnInterview], { nullable: true, description: NETWORK_ONLY })
  async returnInterviews(
    @Root() record: SocialCareRecord,
    @Ctx() context: SocialCareContext,
  ): Promise<ReturnInterview[]> {
    return (await context.loaders.returnInterviews(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => Education, { nullable: true, description: NETWORK_ONLY })
  async education(@Root() record: SocialCareRecord, @Ctx() context: SocialCareContext): Promise<Education | null> {
    return (await context.loaders.education(record.nhsNumber)) ?? null;
  }
}

@Resolver()
export class SocialCareMutationResolver {
  @Mutation(() => LegalStatus, { description: "Record a new legal status; the current one ends when it starts." })
  async recordLegalStatus(
    @Arg("input", () => RecordLegalStatusInput) input: RecordLegalStatusInput,
    @Ctx() context: SocialCareContext,
  ): Promise<LegalStatus> {
    return context.socialCare.recordLegalStatus(input, context);
  }

  @Mutation(() => OutOfHoursPlan, { description: "Replace the child's out-of-hours plan." })
  async updateOutOfHoursPlan(
    @Arg("input", () => UpdateOutOfHoursPlanInput) input: UpdateOutOfHoursPlanInput,
    @Ctx() context: SocialCareContext,
  ): Promise<OutOfHoursPlan> {
    return context.socialCare.updateOutOfHoursPlan(input, context);
  }

  @Mutation(() => SocialCareRecord, {
    description:
      "Record who the child's allocated social worker and/or named on-call manager now are, replacing those recorded; alerts go to them from then on. Returns the social-care section.",
  })
  async recordCareTeam(
    @Arg("input", () => RecordCareTeamInput) input: RecordCareTeamInput,
    @Ctx() context: SocialCareContext,
  ): Promise<SocialCareRecord> {
    const record = await context.socialCare.recordCareTeam(input, context);
    // The section's fields read through this request's loaders: anything they loaded before the write is stale.
    context.loaders = context.socialCare.createLoaders();
    return record;
  }

  @Mutation(() => CaseDecision)
  async recordDecision(
    @Arg("input", () => RecordDecisionInput) input: RecordDecisionInput,
    @Ctx() context: SocialCareContext,
  ): Promise<CaseDecision> {
    return context.socialCare.recordDecision(input, context);
  }

  @Mutation(() => StrategyDiscussion)
  async recordStrategyDiscussion(
    @Arg("input", () => RecordStrategyDiscussionInput) input: RecordStrategyDiscussionInput,
    @Ctx() context: SocialCareContext,
  ): Promise<StrategyDiscussion> {
    return context.socialCare.recordStrategyDiscussion(input, context);
  }

  @Mutation(() => StrategyDiscussion, { description: "Record when a strategy discussion's minutes were shared." })
  async recordStrategyMinutesShared(
    @Arg("input", () => RecordStrategyMinutesSharedInput) input: RecordStrategyMinutesSharedInput,
    @Ctx() context: SocialCareContext,
  ): Promise<StrategyDiscussion> {
    return context.socialCare.recordStrategyMinutesShared(input, context);
  }

  @Mutation(() => RiskManagementMeeting)
  async recordRiskManagementMeeting(
    @Arg("input", () => RecordRiskManagementMeetingInput) input: RecordRiskManagementMeetingInput,
    @Ctx() context: SocialCareContext,
  ): Promise<RiskManagementMeeting> {
    return context.socialCare.recordRiskManagementMeeting(input, context);
  }

  @Mutation(() => ReturnInterview)
  async recordReturnInterview(
    @Arg("input", () => RecordReturnInterviewInput) input: RecordReturnInterviewInput,
    @Ctx() context: SocialCareContext,
  ): Promise<ReturnInterview> {
    return context.socialCare.recordReturnInterview(input, context);
  }
}
