import "reflect-metadata";
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { Agency } from "@safeguarding/kit";
import {
  Child,
  CseConcern,
  MissingEpisode,
  OfficerInCase,
  PoliceProtectionEpisode,
  PoliceRecord,
  WarningMarker,
} from "./entities.js";
import { RecordFoundInput, RecordSeniorManagerNotificationInput, ReportMissingInput } from "./inputs.js";
import type { PoliceContext } from "./context.js";
import { POLICE_SYSTEM } from "./service.js";

@Resolver(() => Child)
export class ChildPoliceResolver {
  @FieldResolver(() => PoliceRecord, {
    nullable: true,
    description: "What the police hold; null when the police know nothing of this child.",
  })
  async police(@Root() child: Child, @Ctx() context: PoliceContext): Promise<PoliceRecord | null> {
    const known = await context.subjects.known(child.id);
    if (!known) return null;
    return {
      nhsNumber: child.id,
      source: { agency: Agency.POLICE, system: POLICE_SYSTEM, department: "All police departments" },
    };
  }
}

@Resolver(() => PoliceRecord)
export class PoliceRecordResolver {
  @FieldResolver(() => [MissingEpisode], { description: "Every missing episode, newest first, from every department." })
  async missingEpisodes(@Root() record: PoliceRecord, @Ctx() context: PoliceContext): Promise<MissingEpisode[]> {
    return (await context.loaders.missingEpisodes(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => [PoliceProtectionEpisode])
  async policeProtection(
    @Root() record: PoliceRecord,
    @Ctx() context: PoliceContext,
  ): Promise<PoliceProtectionEpisode[]> {
    return (await context.loaders.policeProtection(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => [CseConcern], {
    description: "CSE concerns; their summary and lead officer only for police safeguarding and social care.",
  })
  async cseConcerns(@Root() record: PoliceRecord, @Ctx() context: PoliceContext): Promise<CseConcern[]> {
    return (await context.loaders.cseConcerns(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => [WarningMarker])
  async warningMarkers(@Root() record: PoliceRecord, @Ctx() context: PoliceContext): Promise<WarningMarker[]> {
    return (await context.loaders.warningMarkers(record.nhsNumber)) ?? [];
  }

  @FieldResolver(() => OfficerInCase, { nullable: true })
  async officerInCase(@Root() record: PoliceRecord, @Ctx() context: PoliceContext): Promise<OfficerInCase | null> {
    return (await context.loaders.officerInCase(record.nhsNumber)) ?? null;
  }
}

@Resolver()
export class PoliceMutationResolver {
  @Mutation(() => MissingEpisode, { description: "Report a child missing. Police roles only." })
  async reportMissing(
    @Arg("input", () => ReportMissingInput) input: ReportMissingInput,
    @Ctx() context: PoliceContext,
  ): Promise<MissingEpisode> {
    return context.police.reportMissing(input, context);
  }

  @Mutation(() => MissingEpisode, { description: "Record that a missing child was found, and where they were taken." })
  async recordFound(
    @Arg("input", () => RecordFoundInput) input: RecordFoundInput,
    @Ctx() context: PoliceContext,
  ): Promise<MissingEpisode> {
    return context.police.recordFound(input, context);
  }

  @Mutation(() => MissingEpisode, {
    description: "Record that a senior manager was told the child is at a police station.",
  })
  async recordSeniorManagerNotification(
    @Arg("input", () => RecordSeniorManagerNotificationInput) input: RecordSeniorManagerNotificationInput,
    @Ctx() context: PoliceContext,
  ): Promise<MissingEpisode> {
    return context.police.recordSeniorManagerNotification(input, context);
  }
}
