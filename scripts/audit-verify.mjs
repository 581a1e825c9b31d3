// `npm run audit:verify [-- --json]`: checks the hash chain of every store's audit log (DPA 2018 s62 logging) and
// names the first entry that was altered, removed or reordered. Reads only: no migrations, nothing created.
// Exit code 0 when every chain that exists is intact, 1 when any is broken, 2 when a store could not be checked.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultDataDir, openAuditReader, verifyAuditChain } from "../subgraphs/kit/dist/index.js";

const { values } = parseArgs({ options: { json: { type: "boolean", default: false } } });

const STORES = [
  { name: "gateway", envPrefix: "GATEWAY" },
  { name: "police", envPrefix: "POLICE" },
  { name: "social-care", envPrefix: "SOCIAL_CARE" },
  { name: "health", envPrefix: "HEALTH" },
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
    const tables = await reader.db.introspection.getTables();
    if (!tables.some((table) => table.name === "audit_log")) {
      return { ...result, status: "no-audit-log", entries: 0, firstBroken: null };
    }
    const { ok, entries, firstBroken } = await verifyAuditChain(reader.db);
    return { ...result, status: ok ? "ok" : "broken", entries, firstBroken };
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

process.exitCode = results.some((r) => r.status === "broken") ? 1 : results.some((r) => r.status === "error") ? 2 : 0;
