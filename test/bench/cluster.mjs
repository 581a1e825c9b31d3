// What the child-read benches share: a seeded cluster of real processes (identity provider, three agencies,
// gateway) from a checkout, the child query, one read on a kept-alive connection, and CPU and memory off /proc.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SERVICE_NODE_ARGS } from "../../scripts/services.mjs";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

const { findDemoUser } = await import("@safeguarding/shared/demo-users");
const { demoAccessToken } = await import("@safeguarding/identity-provider/client");
const { AGENCIES } = await import("@safeguarding/shared/agencies");

export const SECTIONS = {
  police: "police { missingEpisodes { id reportedAt riskLevel returnedTo } warningMarkers { marker } }",
  "social-care": "socialCare { legalStatus { code whoDecidesWhereChildLives } socialWorker { person { name phone } } }",
  health: "health { gpPractice { name phone } camhsReferrals { status } }",
};
export const CHILD_QUERY = `query($id: ID!) { child(id: $id, purpose: { code: SAFEGUARDING_ENQUIRY, reference: "BENCH-1" }) { id givenName familyName dateOfBirth ${Object.values(SECTIONS).join(" ")} } }`;

export function run(args, env, stdout = "ignore") {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", stdout, "inherit"] });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}

/**
 * Starts one service of the checkout at `root` and resolves, with its ready line as `ready`, when it prints it;
 * rejects if it exits first or is not ready within 30 s.
 */
export function startService(root, entry, env) {
  return new Promise((resolve, reject) => {
    // A side of bench:ab can run with Node flags of its own: --env SERVICE_NODE_EXTRA_ARGS=--flag.
    const ownFlags =
      env.SERVICE_NODE_EXTRA_ARGS !== process.env.SERVICE_NODE_EXTRA_ARGS
        ? (env.SERVICE_NODE_EXTRA_ARGS?.split(" ").filter(Boolean) ?? [])
        : [];
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, ...ownFlags, join(root, entry)], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const timer = setTimeout(() => reject(new Error(`${entry} was not ready within 30 s`)), 30_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        const event = JSON.parse(line);
        if (event.event === "ready") {
          clearTimeout(timer);
          resolve({ child, url: event.url, startMs: event.startMs, ready: event });
        }
      } catch {
        // not a JSON line
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited ${code}`));
    });
  });
}

/** CPU seconds a process has used (user + system), from /proc. */
export const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
/** CPU seconds each of a cluster's processes (the gateway and each agency) has used, by name. */
export const cpuEach = (cluster) =>
  Object.fromEntries(Object.entries(cluster.processes).map(([name, s]) => [name, cpuSeconds(s.child.pid)]));
/** The machine's CPU time so far, in clock ticks, from /proc/stat: all of it, and what the hypervisor stole. */
function machineTicks() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  return { total: fields.slice(0, 8).reduce((sum, n) => sum + n, 0), steal: fields[7] ?? 0 };
}
/** Starts a stopwatch on the hypervisor: `stolen()` is the share of CPU time stolen from this VM since, in %. */
export function stealMeter() {
  const start = machineTicks();
  return () => {
    const now = machineTicks();
    return now.total > start.total ? (100 * (now.steal - start.steal)) / (now.total - start.total) : 0;
  };
}

/**
 * How fast this machine is just now: the median time, in ms, of nine runs of a fixed piece of work of the kind the
 * services do (serialise, parse and hash small JSON documents), after eight runs that let the optimiser settle, with
 * nothing else running. On a shared VM the same code's figures move by a third within minutes; printed beside them,
 * this says whether a run was the code or the machine.
 */
export function speedProbe() {
  const document = Array.from({ length: 20 }, (_, i) => ({
    id: `999${String(i).padStart(7, "0")}`,
    episodes: Array.from({ length: 5 }, (_, j) => ({ at: new Date(86_400_000 * (i + j)).toISOString(), risk: j })),
  }));
  const times = [];
  for (let round = 0; round < 17; round += 1) {
    const started = performance.now();
    let digest = "";
    for (let i = 0; i < 1000; i += 1) {
      const text = JSON.stringify(JSON.parse(JSON.stringify(document)));
      digest = createHash("sha256").update(digest).update(text).digest("hex");
    }
    if (round >= 8) times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[4];
}

export const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Seeds a population and starts the three agencies and the gateway of the checkout at `root` (built) on it, with
 * `extraEnv` for every process.
 */
export async function startCluster(children, extraEnv = {}, root = repoRoot) {
  const dataDir = mkdtempSync(join(tmpdir(), "sg-bench-"));
  const env = { ...process.env, ...extraEnv, DATA_DIR: dataDir };
  const seeded = Date.now();
  await run([join(root, "scripts/seed.mjs"), "--children", String(children)], env);
  // The identity provider first: the gateway reads its discovery document at start, and the token comes from it.
  // One token serves the whole run, so it lasts a working day rather than the provider's default hour.
  const identityProvider = await startService(root, "gateway/identity-provider/dist/main.js", {
    ...env,
    IDP_PORT: "0",
    IDP_ACCESS_TOKEN_TTL_SECONDS: String(8 * 3600),
  });
  const agencies = {};
  for (const agency of AGENCIES)
    agencies[agency.name] = await startService(root, `subgraphs/${agency.name}/dist/main.js`, {
      ...env,
      [`${agency.envPrefix}_PORT`]: "0",
    });
  const gatewayOf = async (extra) =>
    startService(root, "gateway/dist/main.js", {
      ...env,
      GATEWAY_PORT: "0",
      // One bench user sends every request: lift the per-user limit (300 a minute by default) for the measurement.
      RATE_LIMIT_PER_MINUTE: "100000000",
      AUTH_ISSUER: identityProvider.url,
      ...Object.fromEntries(AGENCIES.map((a) => [`${a.envPrefix}_URL`, agencies[a.name].url])),
      // The reads are measured alone; the protocol watch's pass is measured on a gateway of its own (watchPass).
      PROTOCOL_WATCH_MS: "0",
      ...extra,
    });
  const gateway = await gatewayOf({});
  const user = findDemoUser("police-safeguarding");
  const token = await demoAccessToken(identityProvider.url, user.id);
  const kit = await import("@safeguarding/kit");
  const ids = [...kit.syntheticChildren(Math.min(children, 5000))].map((c) => c.nhsNumber);
  return {
    dataDir,
    agencies,
    gateway,
    gatewayOf,
    token,
    user,
    ids,
    seededSeconds: (Date.now() - seeded) / 1000,
    /** The gateway and each agency, by name: the processes whose CPU a read costs. */
    get processes() {
      return { gateway: this.gateway, ...agencies };
    },
    async stop() {
      for (const s of [this.gateway, ...Object.values(agencies), identityProvider]) s.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One POST of `text` over the kept-alive `agent` on node:http (what is timed is the services, not a client's fetch).
 * Resolves with the status and the whole body as text.
 */
function postJson(url, agent, headers, text) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: "POST",
        agent,
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) },
      },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(text);
  });
}

/**
 * One GraphQL request to the gateway with a bearer token. Resolves with the whole answer; rejects on a non-200
 * status or any error in it.
 */
export async function postToGateway(url, agent, token, query, variables = {}) {
  const { status, body } = await postJson(
    url,
    agent,
    { authorization: `Bearer ${token}` },
    JSON.stringify({ query, variables }),
  );
  const json = JSON.parse(body);
  if (status !== 200 || json.errors) throw new Error(`${status} ${JSON.stringify(json.errors)}`);
  return json;
}

/** One kept-alive connection per cluster for reading children one at a time. */
const agents = new WeakMap();
/** One child read through the cluster's gateway; throws if it fails or has errors. */
export function readChild(cluster, id) {
  let agent = agents.get(cluster);
  if (!agent) agents.set(cluster, (agent = new Agent({ keepAlive: true, maxSockets: 1 })));
  return postToGateway(cluster.gateway.url, agent, cluster.token, CHILD_QUERY, { id });
}

/**
 * Closed-loop load: `connections` kept-alive connections to `url`, each POSTing the next `body()` as soon as its last
 * is answered. `run(seconds)` can be called again on the same connections, so a warm-up opens them and what a later
 * run times is the service alone.
 *
 * Written here rather than taken from autocannon (used before) for that reason: autocannon opens fresh connections
 * inside the timed window, and Node 24's libuv accepts one connection per event-loop turn, so with the machine
 * saturated the 50th connection's first read waited up to a second: connection set-up, not the read path, in the
 * p99 at 50 connections.
 * A request fails on a non-200 status or any GraphQL error in the answer (autocannon looked at the status only).
 */
export function openLoad({ url, headers, connections, body }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    async run(seconds) {
      const latencies = [];
      let failed = 0;
      const started = performance.now();
      const end = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (performance.now() < end) {
            const sent = performance.now();
            try {
              const answer = await postJson(url, agent, headers, body());
              // No field of the schema is called "errors": the key is there only when the answer has errors.
              if (answer.status === 200 && !answer.body.includes('"errors"')) latencies.push(performance.now() - sent);
              else failed += 1;
            } catch {
              failed += 1;
            }
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        answered: latencies.length,
        failed,
        perSecond: latencies.length / elapsed,
        p50: quantile(latencies, 0.5),
        p99: quantile(latencies, 0.99),
      };
    },
    close: () => agent.destroy(),
  };
}

/** openLoad for the child read through the cluster's gateway, with the cluster's token, ids varied over the population. */
export function openChildLoad(cluster, connections) {
  let next = 0;
  return openLoad({
    url: cluster.gateway.url,
    headers: { authorization: `Bearer ${cluster.token}` },
    connections,
    body: () => JSON.stringify({ query: CHILD_QUERY, variables: { id: cluster.ids[next++ % cluster.ids.length] } }),
  });
}
