import "reflect-metadata";
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { Agency } from "@safeguarding/kit";
import { CamhsReferral, Child, EscalationRoute, GpPractice, HealthRecord, MentalHealthAssessment } from "./entities.js";
import {
  RecordCamhsReferralInput,
  RequestMentalHealthAssessmentInput,
  UpdateMentalHealthAssessmentInput,
} from "./inputs.js";
import type { HealthContext } from "./context.js";
import { HEALTH_SYSTEM } from "./service.js";

@Resolver(() => Child)
export class ChildHealthResolver {
  @FieldResolver(() => HealthRecord, {
    nullable: true,
    description: "What health holds; null when health knows nothing of this child.",
  })
  async health(@Root() child: Child, @Ctx() context: HealthContext): Promise<HealthRecord | null> {
    const subject = await context.subjects.row(child.id);
    if (!subject) return null;
    return {
      nhsNumber: child.id,
      area: subject.area,
      source: { agency: Agency.HEALTH, system: HEALTH_SYSTEM, department: "GP practice and CAMHS" },
    };
  }
}

@Resolver(() => HealthRecord)
export class HealthRecordResolver {
  @FieldResolver(() => GpPractice, { nullable: true, description: "The practice the child is registered with." })
  async gpPractice(@Root() record: HealthRecord, @Ctx() context: HealthContext): Promise<GpPractice | null> {
    return (await context.loaders.gpPractice(record.nhsNumber)) ?? null;
  }

  @FieldResolver(() => [CamhsReferral], {
    nullable: true,
    description: "Every CAMHS referral, newest first. For the professional network; null, with FORBIDDEN, for others.",
  })
  async camhsReferrals(@Root() record: HealthRecord, @Ctx() context: HealthContext): Promise<CamhsReferral[]> {
    return (await context.loaders.camhsReferrals(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => [MentalHealthAssessment], {
    description: "Every mental-health assessment request, newest first.",
  })
  async mentalHealthAssessments(
    @Root() record: HealthRecord,
    @Ctx() context: HealthContext,
  ): Promise<MentalHealthAssessment[]> {
    return (await context.loaders.mentalHealthAssessments(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => EscalationRoute, {
    nullable: true,
    description:
      "Whom to call for a mental-health assessment in the child's area; null if the area has no directory entry.",
  })
  async escalationRoute(@Root() record: HealthRecord, @Ctx() context: HealthContext): Promise<EscalationRoute | null> {
    return (await context.loaders.escalationRoute(record.area)) ?? null;
  }
}

@Resolver()
export class HealthMutationResolver {
  @Mutation(() => CamhsReferral, { description: "Record a referral of a child to CAMHS." })
  async recordCamhsReferral(
    @Arg("input", () => RecordCamhsReferralInput) input: RecordCamhsReferralInput,
    @Ctx() context: HealthContext,
  ): Promise<CamhsReferral> {
    return context.health.recordCamhsReferral(input, context);
  }

  @Mutation(() => MentalHealthAssessment, { description: "Ask CAMHS to assess a child's mental health." })
  async requestMentalHealthAssessment(
    @Arg("input", () => RequestMentalHealthAssessmentInput) input: RequestMentalHealthAssessmentInput,
    @Ctx() context: HealthContext,
  ): Promise<MentalHealthAssessment> {
    return context.health.requestMentalHealthAssessment(input, context);
  }

  @Mutation(() => MentalHealthAssessment, { description: "Record that an assessment was booked, done or declined." })
  async updateMentalHealthAssessment(
    @Arg("input", () => UpdateMentalHealthAssessmentInput) input: UpdateMentalHealthAssessmentInput,
    @Ctx() context: HealthContext,
  ): Promise<MentalHealthAssessment> {
    return context.health.updateMentalHealthAssessment(input, context);
  }
}
