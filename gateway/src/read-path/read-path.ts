import type { RemoteGraphQLDataSource } from "@apollo/gateway";
import type { QueryPlan } from "@apollo/query-planner";
import type { GraphQLFormattedError } from "graphql";
import { ASSERTION_HEADER } from "@safeguarding/shared/assertion";
import { principalOf } from "@safeguarding/shared/policy";
import type { AgencyEndpoint } from "../config.js";
import { addFacts, type GatewayContext } from "../context.js";
import { AgencyUnavailableError, postGraphqlResponse } from "../fetcher.js";
import { combineFetches, isCombinable, SUBJECTS_ALIAS, type CombinedOperation } from "./combine.js";
import type { HoldersNeeded } from "./conditions.js";
import { sectionFetches, type SectionFetch, type SectionPlan } from "./plan.js";

/** How one agency records a child's identity, with the facts the access policy's conditions need. */
export interface AgencySubject {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  knownAs: string | null;
  dateOfBirth: string;
  recordedAt: string;
  source: { agency: string; system: string; department: string };
  score: number | null;
  missingOrRecentlyFound?: boolean | null;
  allocatedToCaller?: boolean | null;
}

export const SUBJECT_FIELDS =
  "nhsNumber givenName familyName knownAs dateOfBirth recordedAt score source { agency system department }";
/** The look-up by NHS number also brings back the facts the access policy's conditions need. */
export const LOOKUP_FIELDS = `${SUBJECT_FIELDS} missingOrRecentlyFound allocatedToCaller`;

/** What the agencies asked said about one child. */
export interface ChildLookup {
  subjects: AgencySubject[];
  /** Agencies that were asked and did not answer. */
  failed: AgencyUnavailableError[];
}

interface PendingChild {
  rootKey: string;
  id: string;
  wantsEveryAgency: boolean;
  settle: (lookup: ChildLookup) => void;
  fail: (error: unknown) => void;
}

/** One gateway request's read plan: the planner's agency fetches, and the answers fetched ahead for them. */
export interface RequestReadPlan {
  plan: QueryPlan;
  sections: SectionPlan;
  variables: Record<string, unknown>;
  pending: PendingChild[] | null;
  /** Answers to planned fetches, by the fetch's operation and the children it is for (in the order fetched). */
  prefetched: Map<string, GraphQLResponse[]>;
}

/** What a data source answers the planner with. */
type GraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

const prefetchKey = (operation: string, ids: readonly string[]) => `${operation}\u0000${ids.join(",")}`;

export interface ReadPathDependencies {
  agencies: readonly AgencyEndpoint[];
  timeoutMs: number;
  /** Available once the gateway has loaded its schema. */
  holdersNeeded: () => HoldersNeeded | null;
}

/**
 * One HTTP request per agency per gateway request. The child index answers `child` before the planner's section
 * fetches run, and it must ask the agencies who the child is; so it asks, in the same request, for the sections the
 * planner is about to fetch from each agency (taken from the request's query plan), and each agency's data source
 * then answers the planner from that response instead of calling again. An agency is asked only if the request
 * needs it: for a section, for the identity fields that compare every agency, or for a fact another agency's
 * answer depends on (asked first, so the dependent agency's assertion carries it).
 */
export function createReadPath(deps: ReadPathDependencies) {
  const names = new Set<string>(deps.agencies.map((a) => a.name));
  const byCode = new Map(deps.agencies.map((a) => [a.agency as string, a]));
  const combined = new Map<string, CombinedOperation>();
  const fetchIds = new WeakMap<object, number>();
  let nextFetchId = 0;
  const fetchId = (fetch: object) => {
    let id = fetchIds.get(fetch);
    if (id === undefined) fetchIds.set(fetch, (id = nextFetchId++));
    return id;
  };

  /** Combined documents are cached: plans are, so the same few documents serve every request. */
  function combinedFor(agency: AgencyEndpoint, parts: readonly SectionFetch[]): CombinedOperation {
    const key = `${agency.name}|${parts.map((p) => fetchId(p.fetch)).join(",")}`;
    let operation = combined.get(key);
    if (!operation) {
      if (combined.size > 1000) combined.clear();
      operation = combineFetches(
        `${agency.queryPrefix}Subjects(nhsNumbers: $ids) { ${LOOKUP_FIELDS} }`,
        parts.map((p) => p.fetch),
      );
      combined.set(key, operation);
    }
    return operation;
  }

  async function ask(
    context: GatewayContext,
    readPlan: RequestReadPlan,
    agency: AgencyEndpoint,
    ids: readonly string[],
    parts: readonly SectionFetch[],
    idOfRoot: ReadonlyMap<string, string>,
  ): Promise<AgencySubject[]> {
    const operation = combinedFor(agency, parts);
    const variables: Record<string, unknown> = { ids };
    parts.forEach((part, index) => {
      const renamed = operation.variableNames[index];
      variables[renamed.get("representations")!] = [{ __typename: "Child", id: idOfRoot.get(part.rootKey) }];
      for (const name of part.fetch.variableUsages ?? [])
        if (name in readPlan.variables) variables[renamed.get(name)!] = readPlan.variables[name];
    });
    const response = await postGraphqlResponse<Record<string, unknown>>(
      agency.url,
      agency.agency,
      operation.query,
      variables,
      deps.timeoutMs,
      { [ASSERTION_HEADER]: await context.assertionFor(agency.name), "x-request-id": context.requestId },
    );
    for (const id of response.children) context.access.childIds.add(id);
    parts.forEach((part, index) => {
      const alias = operation.aliases[index];
      const errors = response.errors
        .filter((error) => !error.path || error.path[0] === alias)
        .map((error): GraphQLFormattedError =>
          error.path ? { ...error, path: ["_entities", ...error.path.slice(1)] } : error,
        );
      const entities = response.data[alias];
      const key = prefetchKey(part.fetch.operation, [idOfRoot.get(part.rootKey)!]);
      const queue = readPlan.prefetched.get(key) ?? [];
      queue.push({
        data: entities === undefined ? undefined : { _entities: entities },
        errors: errors.length > 0 ? (errors as GraphQLResponse["errors"]) : undefined,
      });
      readPlan.prefetched.set(key, queue);
    });
    const subjects = (response.data[SUBJECTS_ALIAS] ?? []) as AgencySubject[];
    for (const subject of subjects)
      addFacts(context.grant, subject.nhsNumber, {
        missingOrRecentlyFound: subject.missingOrRecentlyFound === true,
        allocatedSocialWorker: subject.allocatedToCaller === true,
      });
    return subjects;
  }

  /** Asks the agencies in waves: holders of facts others need first, then the rest, each wave in parallel. */
  async function askInWaves(
    context: GatewayContext,
    readPlan: RequestReadPlan,
    agencies: AgencyEndpoint[],
    dependsOn: Map<string, Set<string>>,
    ids: readonly string[],
    partsOf: (agency: AgencyEndpoint) => readonly SectionFetch[],
    idOfRoot: ReadonlyMap<string, string>,
  ): Promise<{ subjects: AgencySubject[]; failed: AgencyUnavailableError[] }> {
    const subjects: AgencySubject[] = [];
    const failed: AgencyUnavailableError[] = [];
    let remaining = agencies;
    while (remaining.length > 0) {
      const waiting = new Set<string>(remaining.map((a) => a.name));
      let wave = remaining.filter(
        (a) => ![...(dependsOn.get(a.name) ?? [])].some((h) => h !== a.name && waiting.has(h)),
      );
      if (wave.length === 0) wave = remaining;
      const settled = await Promise.allSettled(
        wave.map(async (agency) => {
          const known = context.unavailableAgencies.get(agency.agency);
          if (known) throw new AgencyUnavailableError(agency.agency, known);
          return ask(context, readPlan, agency, ids, partsOf(agency), idOfRoot);
        }),
      );
      for (const result of settled) {
        if (result.status === "fulfilled") subjects.push(...result.value);
        else if (result.reason instanceof AgencyUnavailableError) {
          failed.push(result.reason);
          context.unavailableAgencies.set(result.reason.agency, result.reason.reason);
        } else throw result.reason;
      }
      remaining = remaining.filter((a) => !wave.includes(a));
    }
    return { subjects, failed };
  }

  async function flush(context: GatewayContext, readPlan: RequestReadPlan, batch: PendingChild[]): Promise<void> {
    const ids = [...new Set(batch.map((entry) => entry.id))];
    const idOfRoot = new Map(batch.map((entry) => [entry.rootKey, entry.id]));
    const parts = new Map<string, SectionFetch[]>();
    for (const [name, fetches] of readPlan.sections) {
      const forBatch = fetches.filter((f) => idOfRoot.has(f.rootKey) && isCombinable(f.fetch));
      if (forBatch.length > 0) parts.set(name, forBatch);
    }
    const wanted = new Set<string>(
      batch.some((entry) => entry.wantsEveryAgency) || parts.size === 0 ? names : parts.keys(),
    );
    // Facts another subgraph's answer depends on, for this caller and this plan: their holders are asked first.
    const dependsOn = new Map<string, Set<string>>();
    const principal = principalOf(context.grant);
    const holdersNeeded = deps.holdersNeeded();
    if (principal && holdersNeeded) {
      for (const [service, holders] of holdersNeeded(readPlan.plan, principal)) {
        for (const code of holders) {
          const holder = byCode.get(code);
          if (!holder) continue;
          wanted.add(holder.name);
          if (names.has(service)) dependsOn.set(service, (dependsOn.get(service) ?? new Set()).add(holder.name));
        }
      }
    }
    const partsOf = (agency: AgencyEndpoint) => parts.get(agency.name) ?? [];
    const first = await askInWaves(
      context,
      readPlan,
      deps.agencies.filter((a) => wanted.has(a.name)),
      dependsOn,
      ids,
      partsOf,
      idOfRoot,
    );
    const subjects = first.subjects;
    const failed = first.failed;
    // A child none of the asked agencies holds may be known to one that was not asked: ask those (who the child is
    // only), so "not known" is said only when every agency has been asked.
    const found = new Set(subjects.map((s) => s.nhsNumber));
    const unknown = ids.filter((id) => !found.has(id));
    const rest = deps.agencies.filter((a) => !wanted.has(a.name));
    if (unknown.length > 0 && rest.length > 0) {
      const more = await askInWaves(context, readPlan, rest, new Map(), unknown, () => [], idOfRoot);
      subjects.push(...more.subjects);
      failed.push(...more.failed);
    }
    for (const entry of batch) entry.settle({ subjects: subjects.filter((s) => s.nhsNumber === entry.id), failed });
  }

  return {
    /** Called when the planner has planned a request: what the read path will fetch ahead. */
    planned(context: GatewayContext, plan: QueryPlan, variables: Record<string, unknown> | undefined): void {
      context.readPlan = {
        plan,
        sections: sectionFetches(plan, names),
        variables: variables ?? {},
        pending: null,
        prefetched: new Map(),
      };
    },

    /**
     * Who the child is, as the agencies the request needs say, with their planned sections fetched in the same
     * requests. Root fields resolved in the same tick share one request per agency. Null when the request was not
     * planned here (the caller then asks every agency itself).
     */
    lookUpChild(
      context: GatewayContext,
      rootKey: string,
      id: string,
      wantsEveryAgency: boolean,
    ): Promise<ChildLookup> | null {
      const readPlan = context.readPlan;
      if (!readPlan) return null;
      return new Promise<ChildLookup>((settle, fail) => {
        const entry = { rootKey, id, wantsEveryAgency, settle, fail };
        if (readPlan.pending) {
          readPlan.pending.push(entry);
          return;
        }
        const batch = (readPlan.pending = [entry]);
        // After the resolvers of this tick have queued their children (the same schedule DataLoader uses).
        void Promise.resolve().then(() =>
          process.nextTick(() => {
            readPlan.pending = null;
            flush(context, readPlan, batch).catch((error: unknown) => batch.forEach((e) => e.fail(error)));
          }),
        );
      });
    },

    /** The answer fetched ahead for a planned fetch, once; undefined when there is none. */
    takePrefetched(context: GatewayContext, operation: string, representations: unknown): GraphQLResponse | undefined {
      const prefetched = context.readPlan?.prefetched;
      if (!prefetched?.size || !Array.isArray(representations)) return undefined;
      const key = prefetchKey(
        operation,
        representations.map((r: { id?: unknown }) => String(r?.id)),
      );
      return prefetched.get(key)?.shift();
    },
  };
}

export type ReadPath = ReturnType<typeof createReadPath>;
