import "reflect-metadata";
import DataLoader from "dataloader";
import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { Arg, Ctx, Directive, ID, Int, Query, Resolver } from "type-graphql";
import { AgencySubject, type Agency } from "./types.js";
import { nameScore, normaliseName } from "./names.js";
import { badInput } from "./errors.js";
import { isoDate } from "./validate.js";
import type { AccessGrant, ChildFacts } from "@safeguarding/shared/identity";
import type { AccessRecord } from "@safeguarding/shared/request-audit";
import { reusableQuery } from "@safeguarding/shared/store";

/** Every agency keeps its own record of who a child is; these two tables have the same shape in each store. */
export interface SubjectTable {
  nhs_number: string;
  given_name: string;
  family_name: string;
  known_as: string | null;
  date_of_birth: string;
  area: string;
  department: string;
  recorded_at: string;
  recorded_by: string;
}

export interface SubjectNameKeyTable {
  nhs_number: string;
  name_key: string;
}

export interface SubjectTables {
  subjects: SubjectTable;
  subject_name_keys: SubjectNameKeyTable;
}

export const subjectsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("subjects")
      .addColumn("nhs_number", "varchar(10)", (c) => c.primaryKey())
      .addColumn("given_name", "text", (c) => c.notNull())
      .addColumn("family_name", "text", (c) => c.notNull())
      .addColumn("known_as", "text")
      .addColumn("date_of_birth", "varchar(10)", (c) => c.notNull())
      .addColumn("area", "text", (c) => c.notNull())
      .addColumn("department", "text", (c) => c.notNull())
      .addColumn("recorded_at", "varchar(32)", (c) => c.notNull())
      .addColumn("recorded_by", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("subjects_dob").on("subjects").column("date_of_birth").execute();
    await db.schema
      .createTable("subject_name_keys")
      .addColumn("nhs_number", "varchar(10)", (c) => c.notNull().references("subjects.nhs_number"))
      .addColumn("name_key", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("subject_name_keys_key")
      .on("subject_name_keys")
      .columns(["name_key", "nhs_number"])
      .execute();
  },
};

export function nameKeys(subject: Pick<SubjectTable, "given_name" | "family_name" | "known_as">): string[] {
  const words = [subject.given_name, subject.family_name, subject.known_as ?? ""].flatMap((n) =>
    normaliseName(n).split(" "),
  );
  return [...new Set(words.filter(Boolean))];
}

/** Inserts subjects and their search keys in one transaction. */
export async function insertSubjects(db: Kysely<SubjectTables>, rows: SubjectTable[]): Promise<void> {
  const chunk = 500;
  for (let i = 0; i < rows.length; i += chunk) {
    const slice = rows.slice(i, i + chunk);
    await db.insertInto("subjects").values(slice).execute();
    const keys = slice.flatMap((row) => nameKeys(row).map((name_key) => ({ nhs_number: row.nhs_number, name_key })));
    for (let k = 0; k < keys.length; k += chunk) {
      await db
        .insertInto("subject_name_keys")
        .values(keys.slice(k, k + chunk))
        .execute();
    }
  }
}

const nextPrefix = (prefix: string) =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

export const SEARCH_LIMIT_MAX = 50;
const CANDIDATE_CAP = 5000;

/** An agency's subject rows as one request reads them: each row read once, however often it is asked for. */
export interface RequestSubjects {
  row(nhsNumber: string): Promise<SubjectTable | null>;
  known(nhsNumber: string): Promise<boolean>;
  find(nhsNumbers: readonly string[]): Promise<AgencySubject[]>;
  search(name: string, dateOfBirth: string | null, limit: number): Promise<AgencySubject[]>;
}

/** Subject rows by NHS number (distinct), built once per count: every read of every agency asks it. */
const subjectRows = reusableQuery({
  shape: (nhsNumbers: readonly string[]) => `subjects ${nhsNumbers.length}`,
  build: (db, nhsNumbers) =>
    db
      .selectFrom("subjects")
      .selectAll()
      .where("nhs_number", "in", [...nhsNumbers]),
  parameters: (nhsNumbers) => nhsNumbers,
});

export function createSubjectRepository<DB extends SubjectTables>(store: Kysely<DB>, agency: Agency, system: string) {
  const db = store as unknown as Kysely<SubjectTables>;
  const toSubject = (row: SubjectTable, score: number | null = null): AgencySubject => ({
    nhsNumber: row.nhs_number,
    givenName: row.given_name,
    familyName: row.family_name,
    knownAs: row.known_as,
    dateOfBirth: row.date_of_birth,
    area: row.area,
    recordedAt: new Date(row.recorded_at),
    source: { agency, system, department: row.department },
    score,
  });

  async function byNhsNumbers(nhsNumbers: readonly string[]): Promise<SubjectTable[]> {
    if (nhsNumbers.length === 0) return [];
    return (await subjectRows(db, [...new Set(nhsNumbers)])) as SubjectTable[];
  }

  const repository = {
    byNhsNumbers,
    /**
     * The same repository for one request: every read of a child's subject row in the request (the gateway's
     * look-up, each section's "does this agency know the child", the area) shares one query per tick.
     */
    forRequest(): RequestSubjects {
      const rows = new DataLoader<string, SubjectTable | null>(async (ids) => {
        const found = new Map((await byNhsNumbers(ids)).map((row) => [row.nhs_number, row]));
        return ids.map((id) => found.get(id) ?? null);
      });
      return {
        row: (nhsNumber) => rows.load(nhsNumber),
        known: async (nhsNumber) => (await rows.load(nhsNumber)) !== null,
        async find(nhsNumbers) {
          const found = await rows.loadMany([...new Set(nhsNumbers)]);
          return found
            .filter((row): row is SubjectTable => row !== null && !(row instanceof Error))
            .map((row) => toSubject(row));
        },
        search: (name, dateOfBirth, limit) => repository.search(name, dateOfBirth, limit),
      };
    },
    async exists(nhsNumber: string): Promise<boolean> {
      const row = await db
        .selectFrom("subjects")
        .select("nhs_number")
        .where("nhs_number", "=", nhsNumber)
        .executeTakeFirst();
      return row !== undefined;
    },
    async find(nhsNumbers: readonly string[]): Promise<AgencySubject[]> {
      return (await byNhsNumbers(nhsNumbers)).map((row) => toSubject(row));
    },
    /**
     * Name search for control rooms: candidates share a two-letter prefix with a typed word (index range scan),
     * then every candidate is scored for prefixes and small misspellings. A date of birth narrows the result.
     */
    async search(name: string, dateOfBirth: string | null, limit: number): Promise<AgencySubject[]> {
      const words = normaliseName(name)
        .split(" ")
        .filter((w) => w.length >= 2);
      if (words.length === 0 && !dateOfBirth) return [];
      const prefixes = [...new Set(words.map((w) => w.slice(0, 2)))];
      let candidateQuery = db.selectFrom("subject_name_keys").select("nhs_number").distinct();
      candidateQuery = candidateQuery.where((eb) =>
        eb.or(prefixes.map((p) => eb.and([eb("name_key", ">=", p), eb("name_key", "<", nextPrefix(p))]))),
      );
      const candidateIds = words.length
        ? (await candidateQuery.limit(CANDIDATE_CAP).execute()).map((r) => r.nhs_number)
        : [];
      let rows: SubjectTable[] = [];
      if (dateOfBirth) {
        rows = await db.selectFrom("subjects").selectAll().where("date_of_birth", "=", dateOfBirth).execute();
        if (candidateIds.length) {
          const wanted = new Set(candidateIds);
          const byDob = rows;
          rows = byDob.filter((r) => wanted.has(r.nhs_number));
          // A misspelt first letter escapes the prefix scan; the date of birth still finds the child.
          if (rows.length === 0) rows = byDob;
        }
      } else {
        for (let i = 0; i < candidateIds.length; i += 900)
          rows.push(...(await byNhsNumbers(candidateIds.slice(i, i + 900))));
      }
      const scored = rows
        .map((row) => ({
          row,
          score: words.length ? nameScore(name, [row.given_name, row.family_name, row.known_as ?? ""]) : 1,
        }))
        .filter((s) => s.score > 0)
        .sort(
          (a, b) =>
            b.score - a.score ||
            a.row.family_name.localeCompare(b.row.family_name) ||
            a.row.given_name.localeCompare(b.row.given_name),
        );
      return scored.slice(0, limit).map((s) => toSubject(s.row, Math.round(s.score * 1000) / 1000));
    },
    async count(): Promise<number> {
      const row = await db
        .selectFrom("subjects")
        .select(sql<string>`count(*)`.as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
  return repository;
}

export type SubjectRepository = ReturnType<typeof createSubjectRepository<SubjectTables>>;

export interface HasSubjects {
  subjects: RequestSubjects;
  grant: AccessGrant;
  access: AccessRecord;
  /**
   * The facts this agency alone holds that the access policy's conditions need (an open missing episode, the
   * allocated social worker), for each child asked about, relative to the caller.
   */
  accessFacts?: (nhsNumbers: string[], grant: AccessGrant) => Promise<Map<string, Partial<ChildFacts>>>;
  /**
   * The children whose records in this agency the missing-from-care protocol must keep checking: those with a record
   * a protocol step starts from (an episode reported or closed, police protection started, a strategy discussion
   * held, an assessment requested) since `since`. The gateway's protocol watch asks every agency, with `since` far
   * enough back for every step that can fall due within its look-back, and evaluates each child named.
   */
  protocolWatch(since: Date): Promise<string[]>;
}

/**
 * The two index queries every agency answers for the gateway's child index. They are @inaccessible: the
 * gateway calls them directly and clients never see them in the API schema.
 */
export function createSubjectQueries(prefix: string): Function {
  @Resolver()
  class SubjectQueries {
    @Query(() => [AgencySubject], { name: `${prefix}Subjects` })
    @Directive("@inaccessible")
    async subjects(
      @Arg("nhsNumbers", () => [ID]) nhsNumbers: string[],
      @Ctx() context: HasSubjects,
    ): Promise<AgencySubject[]> {
      const subjects = await context.subjects.find(nhsNumbers);
      for (const subject of subjects) context.access.childIds.add(subject.nhsNumber);
      if (!context.accessFacts || subjects.length === 0) return subjects;
      const facts = await context.accessFacts(
        subjects.map((s) => s.nhsNumber),
        context.grant,
      );
      return subjects.map((subject) => {
        const known = facts.get(subject.nhsNumber);
        return {
          ...subject,
          missingOrRecentlyFound: known?.missingOrRecentlyFound ?? null,
          allocatedToCaller: known?.allocatedSocialWorker ?? null,
        };
      });
    }

    @Query(() => [ID], {
      name: `${prefix}ProtocolWatch`,
      description: "NHS numbers of the children whose protocol steps may fall due: for the gateway's protocol watch.",
    })
    @Directive("@inaccessible")
    async protocolWatch(@Arg("since", () => Date) since: Date, @Ctx() context: HasSubjects): Promise<string[]> {
      if (Number.isNaN(since.getTime())) throw badInput("since must be a date and time.", "since");
      const children = await context.protocolWatch(since);
      context.access.detail = `children the protocol watches, with records since ${since.toISOString()}`;
      for (const id of children) context.access.childIds.add(id);
      return children;
    }

    @Query(() => [AgencySubject], { name: `${prefix}SubjectSearch` })
    @Directive("@inaccessible")
    async subjectSearch(
      @Arg("name", () => String) name: string,
      @Arg("dateOfBirth", () => String, { nullable: true }) dateOfBirth: string | null,
      @Arg("limit", () => Int, { defaultValue: 10 }) limit: number,
      @Ctx() context: HasSubjects,
    ): Promise<AgencySubject[]> {
      if (limit < 1 || limit > SEARCH_LIMIT_MAX)
        throw badInput(`limit must be between 1 and ${SEARCH_LIMIT_MAX}.`, "limit");
      const matches = await context.subjects.search(
        name,
        dateOfBirth ? isoDate("dateOfBirth", dateOfBirth) : null,
        limit,
      );
      // A search is recorded with what was typed, and every child it named, even when it found nobody.
      context.access.detail = `searched for ${JSON.stringify(name)}${dateOfBirth ? ` born ${dateOfBirth}` : ""}`;
      for (const match of matches) context.access.childIds.add(match.nhsNumber);
      return matches;
    }
  }
  return SubjectQueries;
}

/**
 * The child a write is about, read inside the write's transaction; an NHS number this agency does not hold is
 * refused with a sentence naming the agency's records (e.g. "police records").
 */
export async function requireKnownChild(
  // Any agency's store or open transaction: every one has the subjects table.
  store: Kysely<any>,
  childId: string,
  records: string,
): Promise<SubjectTable> {
  const db = store as unknown as Kysely<SubjectTables>;
  const row = await db.selectFrom("subjects").selectAll().where("nhs_number", "=", childId).executeTakeFirst();
  if (!row) throw badInput(`No child with NHS number ${childId} is known to ${records}: check the number.`, "childId");
  return row;
}
