// `npm run audit:verify [-- --json] [--anchors <file>] [--write-anchors <file>]`: checks the hash chain of every
// store's audit log (DPA 2018 s62 logging) and names the first entry that was altered, removed or reordered. Reads
// only: no migrations, nothing created. Exit code 0 when every chain that exists is intact, 1 when any is broken,
// 2 when a store could not be checked.
//
// A chain kept in the same database as its head can be rewritten whole by someone who can write to that database.
// Anchors close that gap: --write-anchors records each store's last entry and hash in a file kept elsewhere (send
// it to write-once storage, or print it into a ticket); --anchors later proves every anchored entry is still there,
// unchanged, so a log that was wiped, truncated or rewritten since is reported broken.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultDataDir } from "@safeguarding/shared/config";
import { openAuditReader, verifyAuditChain } from "@safeguarding/shared/audit";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    anchors: { type: "string" },
    "write-anchors": { type: "string" },
  },
});
let anchors = {};
if (values.anchors) {
  if (!existsSync(values.anchors)) {
    console.error(`No anchor file at ${values.anchors}.`);
    process.exit(2);
  }
  anchors = JSON.parse(readFileSync(values.anchors, "utf8")).stores ?? {};
}

const STORES = [
  { name: "gateway", envPrefix: "GATEWAY" },
  { name: "police", envPrefix: "POLICE" },
  { name: "social-care", envPrefix: "SOCIAL_CARE" },
  { name: "health", envPrefix: "HEALTH" },
  // The alerts service: every alert raised, delivered, read, acknowledged and escalated (docs/ALERTS.md).
  { name: "alerts", envPrefix: "ALERTS" },
];

async function check({ name, envPrefix }) {
  const databaseUrl = process.env[`${envPrefix}_DATABASE_URL`] || undefined;
  const sqlitePath = join(defaultDataDir(), `${name}.db`);
  // Never print a database URL: it may carry a password.
  const result = { store: name, backend: databaseUrl ? "postgres" : "sqlite", ...(databaseUrl ? {} : { sqlitePath }) };
  let reader;
  try {
    reader = await openAuditReader({ databaseUrl, sqlitePath });
    if (!reader) return { ...result, status: "not-found", entries: 0, firstBroken: null };
    const tables = (await reader.db.introspection.getTables()).map((table) => table.name);
    const anchor = anchors[name];
    if (!tables.includes("audit_log")) {
      // The store's own migration table says whether auditing was ever set up here.
      const migrations = tables.find((table) => table.endsWith("_migrations"));
      const ran = migrations
        ? await reader.db.selectFrom(migrations).select("name").where("name", "like", "%audit%").execute()
        : [];
      if (ran.length > 0 || anchor) {
        const reason = "the audit tables have been removed from a store that had them";
        return { ...result, status: "broken", entries: 0, firstBroken: { seq: 1, reason } };
      }
      return { ...result, status: "no-audit-log", entries: 0, firstBroken: null };
    }
    const { ok, entries, firstBroken } = await verifyAuditChain(reader.db);
    if (ok && anchor) {
      const row = await reader.db
        .selectFrom("audit_log")
        .select(["seq", "hash"])
        .where("seq", "=", anchor.seq)
        .executeTakeFirst();
      if (!row || row.hash !== anchor.hash) {
        const reason = `entry ${anchor.seq}, anchored on ${anchor.at}, is ${row ? "different" : "missing"}: the log was truncated or rewritten since`;
        return { ...result, status: "broken", entries, firstBroken: { seq: anchor.seq, reason } };
      }
    }
    const head = ok
      ? await reader.db.selectFrom("audit_head").select(["seq", "hash"]).where("id", "=", 1).executeTakeFirst()
      : undefined;
    return { ...result, status: ok ? "ok" : "broken", entries, firstBroken, head };
  } catch (error) {
    return { ...result, status: "error", entries: 0, firstBroken: null, error: String(error?.message ?? error) };
  } finally {
    await reader?.close();
  }
}

const results = [];
for (const store of STORES) results.push(await check(store));

const count = (n) => `${n.toLocaleString("en-GB")} ${n === 1 ? "entry" : "entries"}`;
const describe = (result) => {
  switch (result.status) {
    case "ok":
      return `ok   ${count(result.entries)}`;
    case "broken":
      return `BROKEN at entry ${result.firstBroken.seq}: ${result.firstBroken.reason}`;
    case "not-found":
      return "not found (never started)";
    case "no-audit-log":
      return "no audit log yet (not started since auditing was added)";
    default:
      return `could not be checked: ${result.error}`;
  }
};

if (values.json) {
  console.log(JSON.stringify({ ok: results.every((r) => r.status !== "broken" && r.status !== "error"), results }));
} else {
  for (const result of results) console.log(`${result.store.padEnd(14)}${describe(result)}`);
}

if (values["write-anchors"]) {
  const at = new Date().toISOString();
  const stores = Object.fromEntries(
    results.filter((r) => r.status === "ok" && r.head && r.head.seq > 0).map((r) => [r.store, { ...r.head, at }]),
  );
  writeFileSync(values["write-anchors"], `${JSON.stringify({ writtenAt: at, stores }, null, 2)}\n`);
  if (!values.json) console.log(`\nAnchored ${Object.keys(stores).length} chains in ${values["write-anchors"]}.`);
}

process.exitCode = results.some((r) => r.status === "broken") ? 1 : results.some((r) => r.status === "error") ? 2 : 0;
