// `npm run bench`: child-query throughput and latency through the gateway and direct to each subgraph, with
// varied ids, on SQLite stores seeded with a synthetic population. Prints figures; asserts nothing.
//   npm run bench -- --children 20000 --seconds 10 --connections 20
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { SERVICE_NODE_ARGS } from "../../scripts/services.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { values } = parseArgs({
  options: {
    children: { type: "string", default: "20000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "20" },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const dataDir = mkdtempSync(join(tmpdir(), "sg-bench-"));
const env = { ...process.env, DATA_DIR: dataDir };

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}

function start(entry, extraEnv) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, join(root, entry)], {
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "pipe", "inherit"],
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        const event = JSON.parse(line);
        if (event.event === "ready") resolve({ child, url: event.url, startMs: event.startMs });
      } catch {
        // ignore plain lines
      }
    });
    child.on("exit", (code) => reject(new Error(`${entry} exited ${code}`)));
  });
}

/** CPU seconds a process has used (user + system), from /proc. */
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

console.log(`Seeding ${values.children} synthetic children per agency into ${dataDir} ...`);
await run([join(root, "scripts/seed.mjs"), "--children", values.children]);

const agencies = [
  {
    name: "police",
    env: "POLICE",
    section: "police { missingEpisodes { id reportedAt riskLevel returnedTo } warningMarkers { marker } }",
  },
  {
    name: "social-care",
    env: "SOCIAL_CARE",
    section: "socialCare { legalStatus { code whoDecidesWhereChildLives } socialWorker { person { name phone } } }",
  },
  { name: "health", env: "HEALTH", section: "health { gpPractice { name phone } camhsReferrals { status } }" },
];
// Warm start: the stores already exist and are migrated and seeded.
const subgraphs = {};
for (const agency of agencies)
  subgraphs[agency.name] = await start(`subgraphs/${agency.name}/dist/main.js`, { [`${agency.env}_PORT`]: "0" });
const gateway = await start("gateway/dist/main.js", {
  GATEWAY_PORT: "0",
  // One bench user sends every request: lift the per-user limit (300 a minute by default) for the measurement.
  RATE_LIMIT_PER_MINUTE: "100000000",
  POLICE_URL: subgraphs.police.url,
  SOCIAL_CARE_URL: subgraphs["social-care"].url,
  HEALTH_URL: subgraphs.health.url,
});
await new Promise((r) => setTimeout(r, 1500));
const idle = Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, rssMb(s.child.pid)]));

// Varied ids from the synthetic population (every one known to all three agencies).
const kit = await import("@safeguarding/kit");
const { findDemoUser, loadDevIdentityProvider } = await import("@safeguarding/shared/dev-idp");
const { ASSERTION_HEADER, createAssertionSigner } = await import("@safeguarding/shared/assertion");
const { loadOrCreateKeyPair } = await import("@safeguarding/shared/keys");
const { openAuditReader } = await import("@safeguarding/shared/audit");
const ids = [...kit.syntheticChildren(Math.min(Number(values.children), 5000))].map((c) => c.nhsNumber);
let next = 0;
const nextId = () => ids[next++ % ids.length];

// A real bearer token from the development identity provider, and the gateway's own assertion for direct calls.
const user = findDemoUser("police-safeguarding");
const token = await (await loadDevIdentityProvider(dataDir)).issue(user);
const signer = await createAssertionSigner((await loadOrCreateKeyPair(dataDir, "gateway-assertion")).privateJwk);
const grant = {
  identity: { userId: "bench", name: user.name, role: user.role, organisation: user.organisation, email: user.email },
  purpose: { code: "SAFEGUARDING_ENQUIRY", reference: "BENCH-1", agreement: null },
  requestId: "bench",
  facts: {},
  via: null,
};

async function measure(title, url, bodyFor, headers = {}) {
  const result = await autocannon({
    url,
    method: "POST",
    connections,
    duration: seconds,
    headers: { "content-type": "application/json", ...headers },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(bodyFor(nextId())) }) }],
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  console.log(
    `${title.padEnd(34)} ${String(Math.round(result.requests.average)).padStart(6)} req/s   p50 ${String(result.latency.p50).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms   ${failed ? `${failed} failed` : "0 failed"}`,
  );
  return result;
}

const gatewayQuery = `query($id: ID!) { child(id: $id, purpose: { code: SAFEGUARDING_ENQUIRY, reference: "BENCH-1" }) { id givenName familyName dateOfBirth ${agencies.map((a) => a.section).join(" ")} } }`;
console.log(
  `\n${connections} connections, ${seconds} s each, ids varied over ${ids.length} children, Node ${process.version}\n`,
);
const processes = { gateway, ...subgraphs };
const cpuBefore = Object.fromEntries(Object.entries(processes).map(([name, s]) => [name, cpuSeconds(s.child.pid)]));
const viaGateway = await measure(
  "gateway: child (3 agencies)",
  gateway.url,
  (id) => ({ query: gatewayQuery, variables: { id } }),
  { authorization: `Bearer ${token}` },
);
const cpuPerRequest = Object.entries(processes).map(
  ([name, s]) =>
    `${name} ${(((cpuSeconds(s.child.pid) - cpuBefore[name]) * 1000) / viaGateway.requests.total).toFixed(2)} ms`,
);
console.log(`  CPU per gateway request: ${cpuPerRequest.join(", ")}`);
// Every read is audited (gateway and each agency, hash-chained): entries written per gateway request.
const audited = [];
for (const name of ["gateway", ...Object.keys(subgraphs)]) {
  const reader = await openAuditReader({ sqlitePath: join(dataDir, `${name}.db`) });
  const rows = reader
    ? await reader.db
        .selectFrom("audit_log")
        .select(({ fn }) => fn.countAll().as("n"))
        .execute()
    : [];
  await reader?.close();
  audited.push(`${name} ${(Number(rows[0]?.n ?? 0) / viaGateway.requests.total).toFixed(2)}`);
}
console.log(`  Audit entries per gateway request: ${audited.join(", ")}`);
for (const agency of agencies) {
  const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Child { id ${agency.section} } } }`;
  await measure(
    `direct: ${agency.name} subgraph`,
    subgraphs[agency.name].url,
    (id) => ({ query, variables: { r: [{ __typename: "Child", id }] } }),
    { [ASSERTION_HEADER]: await signer.sign(grant, agency.name) },
  );
}

console.log("\nSubgraph processes (embedded SQLite):");
for (const [name, s] of Object.entries(subgraphs)) {
  console.log(
    `  ${name.padEnd(12)} warm start ${String(s.startMs).padStart(4)} ms   idle RSS ${idle[name].toFixed(0)} MB   after load ${rssMb(s.child.pid).toFixed(0)} MB`,
  );
}

for (const s of [gateway, ...Object.values(subgraphs)]) s.child.kill("SIGTERM");
await new Promise((r) => setTimeout(r, 500));
rmSync(dataDir, { recursive: true, force: true });
