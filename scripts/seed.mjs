// `npm run seed -- --children 100000`: a large synthetic population in every agency's store, for scale tests.
// Uses the same stores `npm start` uses (DATA_DIR, or each agency's *_DATABASE_URL). Demo children stay.
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";

const { values } = parseArgs({
  options: { children: { type: "string", default: "1000" }, seed: { type: "string", default: "42" } },
});
const count = Number(values.children);
if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
  console.error("--children must be a whole number from 1 to 1000000.");
  process.exit(2);
}

const kit = await import("@safeguarding/kit");
const { policeSubgraph } = await import("@safeguarding/police-subgraph");
const { socialCareSubgraph } = await import("@safeguarding/social-care-subgraph");
const { healthSubgraph } = await import("@safeguarding/health-subgraph");

const now = new Date();
for (const definition of [policeSubgraph, socialCareSubgraph, healthSubgraph]) {
  const started = performance.now();
  const store = await kit.openSubgraphStore(definition, {
    databaseUrl: process.env[`${definition.envPrefix}_DATABASE_URL`] || undefined,
  });
  await kit.seedDemoData(definition, store.db, now);
  const existing = await store.db
    .selectFrom("subjects")
    .select(({ fn }) => fn.countAll().as("n"))
    .executeTakeFirstOrThrow();
  const random = kit.prng(Number(values.seed));
  const batch = [];
  let added = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const known = new Set(
      (
        await store.db
          .selectFrom("subjects")
          .select("nhs_number")
          .where(
            "nhs_number",
            "in",
            batch.map((c) => c.nhsNumber),
          )
          .execute()
      ).map((r) => r.nhs_number),
    );
    const fresh = batch.filter((c) => !known.has(c.nhsNumber));
    await store.db.transaction().execute(async (trx) => {
      await kit.insertSubjects(
        trx,
        fresh.map((child) => kit.subjectRow(child, now, definition.identityDepartment)),
      );
      await definition.seedSynthetic?.(trx, fresh, now, random);
    });
    added += fresh.length;
    batch.length = 0;
  };
  for (const child of kit.syntheticChildren(count, Number(values.seed))) {
    batch.push(child);
    if (batch.length === 2000) await flush();
  }
  await flush();
  await store.close();
  console.log(
    `${definition.name.padEnd(12)} ${store.dialect.padEnd(8)} had ${Number(existing.n)} children, added ${added} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
