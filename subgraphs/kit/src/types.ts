import "reflect-metadata";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { AGENCY_CODES, type AgencyCode } from "@safeguarding/shared/agencies";

/** The agencies of the shared table, as a GraphQL enum: `Agency.POLICE === "POLICE"`. */
export const Agency = Object.fromEntries(AGENCY_CODES.map((code) => [code, code])) as { [C in AgencyCode]: C };
export type Agency = AgencyCode;
registerEnumType(Agency, { name: "Agency", description: "The agency that holds an item." });

@ObjectType({ description: "Where an item is held: the agency, its system and the department that recorded it." })
@Directive("@shareable")
export class Source {
  @Field(() => Agency)
  agency!: Agency;

  @Field(() => String, { description: "The agency's system of record, e.g. the police records system." })
  system!: string;

  @Field(() => String, { description: "The team or department that holds it, e.g. Missing Persons Unit." })
  department!: string;
}

@ObjectType({ description: "How one agency knows a child: used by the gateway's child index, not by clients." })
@Directive("@shareable")
@Directive("@inaccessible")
export class AgencySubject {
  @Field(() => ID)
  nhsNumber!: string;

  @Field(() => String)
  givenName!: string;

  @Field(() => String)
  familyName!: string;

  @Field(() => String, { nullable: true })
  knownAs!: string | null;

  @Field(() => String, { description: "Date of birth, YYYY-MM-DD." })
  dateOfBirth!: string;

  @Field(() => String, { description: "The local authority area whose arrangements apply, e.g. north-avonvale." })
  area!: string;

  @Field(() => Date)
  recordedAt!: Date;

  @Field(() => Source)
  source!: Source;

  @Field(() => Number, { nullable: true, description: "Name match score from 0 to 1, for searches." })
  score!: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Police only: a missing episode for the child is open, or was closed within the last 24 hours. Feeds the access policy's conditions.",
  })
  missingOrRecentlyFound?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Social care only: the caller is the child's allocated social worker. Feeds the access policy.",
  })
  allocatedToCaller?: boolean | null;
}

/** Every item any agency returns says when it was recorded, by whom, and where it is held. */
@ObjectType({ description: "Fields every recorded item has." })
export class RecordedItem {
  @Field(() => Date, { description: "When this item was recorded or last updated." })
  recordedAt!: Date;

  @Field(() => String, { description: "Who recorded it (name and role or collar number)." })
  recordedBy!: string;

  @Field(() => Source)
  source!: Source;
}

/** A person to contact about a child, with how to reach them. */
@ObjectType({ description: "A named professional and how to reach them." })
@Directive("@shareable")
export class ContactPerson {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "Their role, e.g. Social worker, Detective Constable." })
  role!: string;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true, description: "Team or department." })
  team!: string | null;
}
