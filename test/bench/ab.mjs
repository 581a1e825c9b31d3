// `npm run bench:ab -- --base <checkout>`: this checkout against another, read for read. Prints figures; asserts
// nothing.
//   git worktree add ../base HEAD~1 && (cd ../base && npm ci && npm run build)
//   npm run bench:ab -- --base ../base [--env SQLITE_SYNCHRONOUS=NORMAL] [--base-env K=V,K=V]
//   npm run bench:ab -- --base . --env SERVICE_NODE_EXTRA_ARGS=--single-threaded-gc   (one side's Node flags)
// The machine this project is measured on is a shared VM whose speed drifts by a third or more within minutes, so
// two `npm run bench` runs minutes apart cannot tell a 10 % change from the drift. Here both clusters run at once
// and take turns: closed-loop load (cluster.mjs, on connections warmed first) for --slice seconds each in turn
// (--rounds each), then one read at a time alternating between them (--sequential reads each), so a slow minute
// slows both alike. Each side's CPU per read is summed over its own turns only. Run it twice with the sides swapped
// (or --base at this checkout) to see the noise floor.
import { parseArgs } from "node:util";
import { cpuEach, openChildLoad, quantile, readChild, repoRoot, rssMb, startCluster } from "./cluster.mjs";

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    env: { type: "string", default: "" },
    "base-env": { type: "string", default: "" },
    children: { type: "string", default: "20000" },
    sequential: { type: "string", default: "300" },
    rounds: { type: "string", default: "4" },
    slice: { type: "string", default: "3" },
    connections: { type: "string", default: "20" },
  },
});
if (!values.base) {
  console.error("Name the checkout to compare with: npm run bench:ab -- --base <folder> (built, with its own npm ci).");
  process.exit(2);
}
/** K=V,K=V to an environment (a value may itself hold "="). */
const envOf = (text) =>
  Object.fromEntries(
    text
      .split(",")
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );

const sides = [
  { label: `base ${values.base} ${values["base-env"]}`, root: values.base, env: envOf(values["base-env"]) },
  { label: `this ${repoRoot} ${values.env}`, root: repoRoot, env: envOf(values.env) },
];
for (const side of sides) {
  side.cluster = await startCluster(Number(values.children), side.env, side.root);
  Object.assign(side, {
    times: [],
    cpu: 0,
    reads: 0,
    loadCpu: 0,
    loadCpuEach: {},
    loadReads: 0,
    loadSeconds: 0,
    p99s: [],
  });
}
const cpuOf = (cluster) => Object.values(cpuEach(cluster)).reduce((sum, seconds) => sum + seconds, 0);
try {
  for (const { cluster } of sides) for (let i = 0; i < 300; i += 1) await readChild(cluster, cluster.ids[i]);
  for (const side of sides) {
    side.load = openChildLoad(side.cluster, Number(values.connections));
    await side.load.run(2);
  }
  for (let round = 0; round < Number(values.rounds); round += 1) {
    for (const side of round % 2 ? [...sides].reverse() : sides) {
      const before = cpuEach(side.cluster);
      const result = await side.load.run(Number(values.slice));
      for (const [name, seconds] of Object.entries(cpuEach(side.cluster))) {
        side.loadCpuEach[name] = (side.loadCpuEach[name] ?? 0) + seconds - before[name];
        side.loadCpu += seconds - before[name];
      }
      side.loadReads += result.answered;
      side.loadSeconds += Number(values.slice);
      side.p99s.push(Math.round(result.p99));
    }
  }
  // One read at a time after the load, the processes warm (as in npm run bench).
  for (let i = 0; i < Number(values.sequential); i += 1) {
    for (const side of i % 2 ? [...sides].reverse() : sides) {
      const before = cpuOf(side.cluster);
      const started = performance.now();
      await readChild(side.cluster, "9990000018");
      side.times.push(performance.now() - started);
      side.cpu += cpuOf(side.cluster) - before;
      side.reads += 1;
    }
  }
  for (const side of sides) {
    const sorted = [...side.times].sort((a, b) => a - b);
    console.log(side.label.trim());
    console.log(
      `  one read at a time  p50 ${quantile(sorted, 0.5).toFixed(2)} ms   p90 ${quantile(sorted, 0.9).toFixed(2)} ms   CPU per read ${((side.cpu * 1000) / side.reads).toFixed(2)} ms`,
    );
    console.log(
      `  ${values.connections} connections     ${Math.round(side.loadReads / side.loadSeconds)} req/s   CPU per read ${((side.loadCpu * 1000) / side.loadReads).toFixed(2)} ms   p99 per turn ${side.p99s.join(" / ")} ms`,
    );
    console.log(
      `  CPU per read, each  ${Object.entries(side.loadCpuEach)
        .map(([name, seconds]) => `${name} ${((seconds * 1000) / side.loadReads).toFixed(2)}`)
        .join(", ")} ms`,
    );
    console.log(
      `  RSS after load      ${Object.entries(side.cluster.processes)
        .map(([name, s]) => `${name} ${rssMb(s.child.pid).toFixed(0)} MB`)
        .join(", ")}`,
    );
  }
} finally {
  for (const { cluster, load } of sides) {
    load?.close();
    await cluster?.stop();
  }
}
