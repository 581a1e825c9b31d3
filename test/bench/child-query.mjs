// `npm run bench`: the child read through the gateway, measured. Prints figures; asserts nothing.
//   npm run bench -- --children 20000 --seconds 10 --connections 20,50
// Every read carries a real bearer token and a purpose and is audited by the gateway and each agency. Ids are varied
// over the synthetic population. Phases (each can be skipped):
//   load        closed-loop load through the gateway at each connection count, on connections warmed first
//               (cluster.mjs, openLoad): req/s, p50, p99, failures, CPU and audit entries per read in every process,
//               the share of CPU time the hypervisor stole meanwhile and the machine's speed probe after it
//   sequential  then, the processes warm, one unloaded read of the demo child's joined record, 200 times in a row:
//               p50 and p99
//   steps       the same load with the read path's steps switched on one at a time, each on a fresh cluster, so
//               the README's before/after table is printed by this script (--steps)
//   direct      the same load straight at each agency's _entities (what one agency can do alone)
//   scale       sequential reads against 1,000 and 100,000 children per agency, the two clusters read in turn: p50
//               of each and their ratio (--scale)
//   alerts      a police write's commit to the alert in the recipient's myAlerts, embedded and NATS (alerts.mjs, its
//               own clusters; --no-alerts skips it, npm run bench:alerts runs it alone)
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  cpuEach,
  cpuSeconds,
  openChildLoad,
  openLoad,
  quantile,
  readChild,
  repoRoot,
  rssMb,
  run,
  SECTIONS,
  speedProbe,
  startCluster,
  stealMeter,
} from "./cluster.mjs";

const { values } = parseArgs({
  options: {
    children: { type: "string", default: "20000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "20,50" },
    sequential: { type: "string", default: "200" },
    steps: { type: "boolean", default: false },
    direct: { type: "boolean", default: true },
    "no-direct": { type: "boolean", default: false },
    scale: { type: "boolean", default: false },
    "no-alerts": { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const connectionCounts = values.connections.split(",").map(Number);

const { ASSERTION_HEADER, createAssertionSigner } = await import("@safeguarding/shared/assertion");
const { loadOrCreateSecret } = await import("@safeguarding/shared/keys");
const { openAuditReader } = await import("@safeguarding/shared/audit");
const { AGENCIES } = await import("@safeguarding/shared/agencies");

/**
 * One protocol-watch pass over the population (docs/ALERTS.md): a second gateway whose watch runs once as it starts,
 * then hourly, read off its /metrics. What a pass costs every PROTOCOL_WATCH_MS at this many children.
 */
async function watchPass(cluster) {
  const gateway = await cluster.gatewayOf({ PROTOCOL_WATCH_MS: "3600000" });
  try {
    const metricsUrl = new URL("/metrics", gateway.url);
    const deadline = Date.now() + 300_000;
    for (;;) {
      const text = await (await fetch(metricsUrl)).text();
      const value = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
      if (value("safeguarding_protocol_watch_pass_seconds_count") >= 1) {
        const cpu = cpuSeconds(gateway.child.pid);
        console.log(
          `protocol watch: one pass over ${value("safeguarding_protocol_watch_children")} watched children took ${value("safeguarding_protocol_watch_pass_seconds_sum").toFixed(2)} s (gateway CPU since start ${cpu.toFixed(1)} s)`,
        );
        return;
      }
      if (Date.now() > deadline) throw new Error("the protocol watch's first pass did not finish within 300 s");
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    gateway.child.kill("SIGTERM");
  }
}

/** p50 and p99 of `count` reads one after another, nothing else running. */
async function sequential(cluster, count, idFor) {
  const times = [];
  for (let i = 0; i < count + 5; i += 1) {
    const started = performance.now();
    await readChild(cluster, idFor(i));
    if (i >= 5) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

async function auditCounts(cluster) {
  const counts = {};
  for (const name of ["gateway", ...AGENCIES.map((a) => a.name)]) {
    const reader = await openAuditReader({ sqlitePath: join(cluster.dataDir, `${name}.db`) });
    const rows = reader
      ? await reader.db
          .selectFrom("audit_log")
          .select(({ fn }) => fn.countAll().as("n"))
          .execute()
      : [];
    await reader?.close();
    counts[name] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

/**
 * Load through the gateway at `connections`: warmed for 4 s on the same connections (the optimiser and the stores
 * settle under load), then timed; CPU and audit entries per read in every process, from the deltas.
 */
async function load(cluster, connections, label) {
  const reads = openChildLoad(cluster, connections);
  await reads.run(4);
  const cpuBefore = cpuEach(cluster);
  const auditBefore = await auditCounts(cluster);
  const stolen = stealMeter();
  // run() returns when the last read in flight is answered, so every process has done and recorded all of them.
  const result = await reads.run(seconds);
  const stolenShare = stolen();
  reads.close();
  const auditAfter = await auditCounts(cluster);
  // The gateway writes exactly one entry per read it answered: the fair denominator for work done per read.
  const total = auditAfter.gateway - auditBefore.gateway;
  const cpu = Object.entries(cpuEach(cluster)).map(([n, used]) => [n, ((used - cpuBefore[n]) * 1000) / total]);
  console.log(
    `${label.padEnd(30)} ${String(connections).padStart(3)} conn ${String(Math.round(result.perSecond)).padStart(6)} req/s   p50 ${String(Math.round(result.p50)).padStart(4)} ms   p99 ${String(Math.round(result.p99)).padStart(4)} ms   ${result.failed} failed`,
  );
  console.log(
    `${"".padEnd(30)} CPU per read ${cpu.reduce((sum, [, v]) => sum + v, 0).toFixed(2)} ms (${cpu.map(([n, v]) => `${n} ${v.toFixed(2)}`).join(", ")})`,
  );
  console.log(
    `${"".padEnd(30)} audit entries per read: ${Object.keys(auditAfter)
      .map((n) => `${n} ${((auditAfter[n] - auditBefore[n]) / total).toFixed(2)}`)
      .join(", ")}`,
  );
  console.log(
    `${"".padEnd(30)} machine: ${stolenShare.toFixed(1)} % of CPU time stolen by the hypervisor; speed probe after ${speedProbe().toFixed(1)} ms`,
  );
  return result;
}

async function direct(cluster) {
  const grant = {
    identity: {
      userId: "bench",
      name: cluster.user.name,
      role: cluster.user.role,
      organisation: cluster.user.organisation,
      email: cluster.user.email,
    },
    purpose: { code: "SAFEGUARDING_ENQUIRY", reference: "BENCH-1", agreement: null },
    requestId: "bench",
    facts: {},
    via: null,
  };
  const signer = await createAssertionSigner((await loadOrCreateSecret(cluster.dataDir, "gateway-assertion")).jwk);
  for (const agency of AGENCIES) {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Child { id ${SECTIONS[agency.name]} } } }`;
    let next = 0;
    const calls = openLoad({
      url: cluster.agencies[agency.name].url,
      headers: { [ASSERTION_HEADER]: await signer.sign(grant, agency.name) },
      connections: connectionCounts[0],
      body: () =>
        JSON.stringify({
          query,
          variables: { r: [{ __typename: "Child", id: cluster.ids[next++ % cluster.ids.length] }] },
        }),
    });
    await calls.run(2);
    const result = await calls.run(seconds);
    calls.close();
    console.log(
      `direct: ${agency.name.padEnd(22)} ${String(connectionCounts[0]).padStart(3)} conn ${String(Math.round(result.perSecond)).padStart(6)} req/s   p50 ${String(Math.round(result.p50)).padStart(4)} ms   p99 ${String(Math.round(result.p99)).padStart(4)} ms   ${result.failed} failed`,
    );
  }
}

const children = Number(values.children);
console.log(`Node ${process.version}; ${children} synthetic children per agency; ${seconds} s per load run.`);
// The machine's own speed first (cluster.mjs, speedProbe): lower is faster; the README gives it for its runs.
console.log(`Machine speed probe: ${speedProbe().toFixed(1)} ms (lower is faster)\n`);
const cluster = await startCluster(children);
try {
  // Warm every path (JIT, plan cache, statement cache) before measuring.
  await sequential(cluster, 200, (i) => cluster.ids[i % cluster.ids.length]);
  const early = await sequential(cluster, Number(values.sequential), () => "9990000018");
  for (const connections of connectionCounts) await load(cluster, connections, "gateway: child, 3 agencies");
  // The figure: one read at a time once the processes have run under load, as a service answering a control room
  // has. The one just after start (200 reads in) is printed too: the optimiser is still compiling then.
  const demo = await sequential(cluster, Number(values.sequential), () => "9990000018");
  const oneAtATime = (label, t) =>
    console.log(`${label.padEnd(44)} p50 ${t.p50.toFixed(1).padStart(5)} ms   p99 ${t.p99.toFixed(1).padStart(5)} ms`);
  console.log("");
  oneAtATime(`one read at a time (demo child, ${values.sequential} reads)`, demo);
  oneAtATime("  the same, 200 reads after start", early);
  console.log(`machine: speed probe after ${speedProbe().toFixed(1)} ms`);
  if (values.direct && !values["no-direct"]) {
    console.log("");
    await direct(cluster);
  }
  console.log("");
  await watchPass(cluster);
  console.log("\nAgency processes (embedded SQLite):");
  for (const [name, s] of Object.entries(cluster.agencies))
    console.log(
      `  ${name.padEnd(12)} warm start ${String(s.startMs).padStart(4)} ms   RSS after load ${rssMb(s.child.pid).toFixed(0)} MB`,
    );
} finally {
  await cluster.stop();
}

// The read path before and after, on a fresh cluster each, so the README's before/after table is what this prints:
// READ_PATH is the switch, and SQLITE_SYNCHRONOUS shows what a disk sync per commit costs. The other steps (a
// verified token cached, the gateway's own subgraphs validated once, persisted queries and HMAC assertions to the
// agencies) have no switch and are in every row; the README gives their figures from runs before and after each.
if (values.steps) {
  console.log(`\nSteps (${connectionCounts[0]} connections, fresh cluster each):`);
  for (const [label, env] of [
    ["before: a request per fetch", { READ_PATH: "per-fetch" }],
    ["after: one trip per agency", {}],
    ["one trip, SQLite synchronous=NORMAL", { SQLITE_SYNCHRONOUS: "NORMAL" }],
  ]) {
    const c = await startCluster(children, env);
    try {
      await sequential(c, 200, (i) => c.ids[i % c.ids.length]);
      await load(c, connectionCounts[0], label);
    } finally {
      await c.stop();
    }
  }
}

// Both populations run at once and are read in turn, so a slow minute of the machine falls on both and the ratio is
// the population's doing (run one after the other, the ratio moved from 0.96 to 1.43 on the same code as the
// machine's speed drifted).
if (values.scale) {
  console.log(
    "\nScale: one read at a time, random children, 1,000 vs 100,000 children per agency, read in turns of 25",
  );
  const populations = [1000, 100000];
  const clusters = [];
  try {
    for (const population of populations) clusters.push(await startCluster(population));
    const pick = (c, i) => c.ids[(i * 7919) % c.ids.length];
    for (const c of clusters) await sequential(c, 200, (i) => pick(c, i));
    const times = clusters.map(() => []);
    // In blocks of 25 reads, so each cluster's processes run warm between reads, as in the one-cluster figure.
    for (let block = 0; block < 20; block += 1)
      for (const [k, c] of clusters.entries())
        for (let i = block * 25; i < (block + 1) * 25; i += 1) {
          const started = performance.now();
          await readChild(c, pick(c, i));
          times[k].push(performance.now() - started);
        }
    const p50s = times.map((t) => {
      t.sort((a, b) => a - b);
      return quantile(t, 0.5);
    });
    for (const [k, population] of populations.entries())
      console.log(
        `  ${String(population).padStart(6)} children (seeded in ${clusters[k].seededSeconds.toFixed(0)} s)   p50 ${p50s[k].toFixed(2)} ms   p99 ${quantile(times[k], 0.99).toFixed(2)} ms`,
      );
    console.log(
      `  p50 at 100,000 ÷ p50 at 1,000 = ${(p50s[1] / p50s[0]).toFixed(2)}; speed probe after ${speedProbe().toFixed(1)} ms`,
    );
  } finally {
    for (const c of clusters) await c.stop();
  }
}

// Issue 12's figures: alerts.mjs as its own process, with its defaults (its options are its own: npm run bench:alerts).
if (!values["no-alerts"]) await run([join(repoRoot, "test/bench/alerts.mjs")], process.env, "inherit");
