// `npm run test:deploy`: the topology of deploy/compose.yaml, run as processes with the machine's nginx, PostgreSQL,
// Redis and nats-server (its own broker, from compose's command and deploy/nats.conf), in production mode, from a folder laid out as the Dockerfile's runtime stage lays out the image:
//
//   nginx (deploy/nginx.conf) ─► gateway-1, gateway-2 ─► police, social-care, health     portal, identity provider
//                                     │ audit trail, rate limit    │ one database and role each
//                                     │                            │ events ─► NATS JetStream ─► alerts ◄─ gateways
//                                     ▼                            ▼
//                           PostgreSQL (a database and role per service, made by deploy/postgres/init-databases.sh)
//                           Redis (the replicas' shared rate limit)
//
// It checks nginx's retry rules, seeds synthetic children, checks that the rate limit is shared by the replicas and
// that a token from signing in at the identity provider reads a child through nginx, sends a load of child reads
// through nginx, freezes and then kills (SIGKILL) one replica in the middle of it, and asserts: no request failed,
// every answered read is in the gateway's audit trail exactly once (matched by x-request-id), any entry without an
// answer belongs to a request the killed replica was running when it died, and `audit:verify` finds every chain
// intact. Then a police officer reports the demo child missing through nginx, and the alert must reach her allocated
// social worker's myAlerts through nginx within seconds (agency outbox → relay → JetStream → alerts service). It
// prints what each replica served and how long the alert took. Everything it makes (processes, databases, roles,
// Redis keys, the broker and its store, files) is removed at the end, whether it passed or not.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect as connectNats } from "@nats-io/transport-node";
import { importJWK, SignJWT } from "jose";
import pg from "pg";
import { makeSecrets } from "../../deploy/make-secrets.mjs";
import { reportDemoChildMissing } from "../support/demo-missing.mjs";
import {
  interpolate,
  loadCompose,
  loadDockerfile,
  nginxConfPath,
  repoRoot,
  resolveTarget,
  serviceTargets,
} from "./definitions.mjs";

const { values: options } = parseArgs({
  options: {
    reads: { type: "string", default: "1200" },
    connections: { type: "string", default: "16" },
    children: { type: "string", default: "300" },
  },
});
const READS = Number(options.reads);
const CONNECTIONS = Number(options.connections);
// Low, so the shared-limit check is quick; the load is spread over enough users to stay under it.
const RATE_LIMIT = 40;
const KILLED = "gateway-2";
const SURVIVOR = "gateway-1";
const TIME_LIMIT_MS = 170_000;

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const step = (message) => console.log(`[${seconds().padStart(5)} s] ${message}`);

const POSTGRES_ADMIN_URL = new URL(process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const REDIS_URL = new URL(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
/** The broker's binary (Debian's nats-server package, which .ci/run installs). */
const NATS_SERVER = process.env.NATS_SERVER ?? "/usr/sbin/nats-server";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const databasePrefix = `sg_deploy_${runId}_`;
const redisPrefix = `sg:deploy:${runId}:`;
const workDir = mkdtempSync(join(tmpdir(), "sg-deploy-"));

// ---- Clean-up: everything registered here is undone in reverse order, on success, failure or Ctrl-C ----

const undo = [];
let cleaning = null;
function cleanUp() {
  cleaning ??= (async () => {
    for (const [what, action] of [["stop the processes", () => stopServices()], ...undo.reverse()]) {
      const began = Date.now();
      try {
        await action();
        if (Date.now() - began > 2000) console.error(`clean-up: ${what} took ${Date.now() - began} ms`);
      } catch (error) {
        console.error(`clean-up: could not ${what}: ${error.message}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.error(`\n${signal}: cleaning up before stopping.`);
    cleanUp().finally(() => process.exit(130));
  });
}
undo.push(["remove the work folder", () => rmSync(workDir, { recursive: true, force: true })]);

// ---- Processes ----

/** Runs a command to completion; rejects with its output when it fails. */
function run(command, args, { cwd = repoRoot, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`)),
    );
  });
}

/** SIGTERM, and SIGKILL after 3 s; resolves with whether SIGKILL was needed. */
function stopProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(false);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(killed);
    });
    child.kill("SIGTERM");
  });
}

/** Every process this run starts (services and nginx), stopped together before anything else is undone. */
const services = [];
async function stopServices() {
  const stubborn = [];
  await Promise.all(services.map(async ({ name, child }) => (await stopProcess(child)) && stubborn.push(name)));
  if (stubborn.length)
    console.log(`note: ${stubborn.join(", ")} did not stop within 3 s of SIGTERM and were killed (SIGKILL).`);
}

/** Starts a service and waits for the `{"event":"ready"}` line every service prints. */
function startService(name, command, args, env, cwd) {
  const started = new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    services.push({ name, child });
    const output = [];
    const timer = setTimeout(
      () => reject(new Error(`${name} was not ready within 30 s:\n${output.join("\n")}`)),
      30_000,
    );
    createInterface({ input: child.stdout }).on("line", (line) => {
      output.push(line);
      try {
        const event = JSON.parse(line);
        if (event.event === "ready" && event.url) {
          clearTimeout(timer);
          resolve({ name, child, url: event.url, port: Number(new URL(event.url).port), output });
        }
      } catch {
        // a plain log line
      }
    });
    createInterface({ input: child.stderr }).on("line", (line) => output.push(line));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} stopped before it was ready (${code ?? signal}):\n${output.join("\n")}`));
    });
  });
  // When one service fails to start the run stops the others; their own rejections must not crash the process and
  // hide the first failure, which the caller reports.
  started.catch(() => {});
  return started;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---- The image, replayed into a folder ----

// The image's production install, kept between runs: node_modules/.cache/sg-deploy/<key>, where the key covers every
// input of that layer (the manifests, the lock file, the npm ci command line, the Node version), as a container
// engine's layer cache would. Delete it freely; the next run installs again.
const installCache = join(repoRoot, "node_modules", ".cache", "sg-deploy");

/**
 * Lays out `root` as the Dockerfile's runtime stage lays out /app: the manifests it copies, its `npm ci` (with
 * --prefer-offline, so the packages come from the npm cache the project's own install filled), and every COPY of the
 * runtime stage and the service targets. A COPY --from=build is taken from this checkout, which `npm run build` has
 * just built as the build stage would. RUN lines other than npm ci (creating the data folder, cleaning npm's cache)
 * are not replayed. Returns whether the install came from the cache.
 */
async function replayImage(dockerfile, targets, root) {
  const copy = (from, source, dest) => {
    const to = join(root, dest.endsWith("/") || dest === "." ? join(dest, source.split("/").at(-1)) : dest);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true, dereference: true });
  };
  const runtime = resolveTarget(dockerfile, "runtime");
  // Manifests first, then the install, then the runtime stage's copies, then each target's own.
  const manifests = runtime.copies.filter((c) => c.stage !== "runtime");
  const hash = createHash("sha256").update(process.version);
  for (const { sources, dest } of manifests) {
    for (const source of sources) {
      copy(join(repoRoot, source), source, dest);
      hash.update(source).update(readFileSync(join(repoRoot, source)));
    }
  }
  const installs = runtime.runs.flatMap(({ command }) =>
    command
      .split("&&")
      .map((part) => part.trim())
      .filter((part) => part.startsWith("npm ci")),
  );
  for (const install of installs) hash.update(install);
  const cached = join(installCache, hash.digest("hex").slice(0, 16));
  const modules = join(root, "node_modules");
  let fromCache = false;
  if (existsSync(cached)) {
    renameSync(cached, modules);
    fromCache = true;
  } else {
    for (const install of installs) {
      const args = [...install.split(/\s+/).slice(1), "--prefer-offline", "--no-audit", "--no-fund"];
      // A clean environment: npm_config_* settings of the npm that started this script must not leak in.
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
      await run("npm", args, { cwd: root, env });
    }
  }
  // Put back for the next run (only the newest install is kept), after the processes using it have stopped.
  undo.push([
    "keep the production install for the next run",
    () => {
      rmSync(installCache, { recursive: true, force: true });
      mkdirSync(installCache, { recursive: true });
      renameSync(modules, cached);
    },
  ]);
  const copies = [
    ...runtime.copies.filter((c) => c.stage === "runtime"),
    ...targets.flatMap((name) => resolveTarget(dockerfile, name).copies.filter((c) => c.stage === name)),
  ];
  for (const { from, sources, dest } of copies) {
    for (const source of sources) {
      const path = from === "build" ? source.replace(/^\/app\//, "") : source;
      copy(join(repoRoot, path), path, dest);
    }
  }
  return fromCache;
}

// ---- compose.yaml → processes ----

/**
 * A compose service's environment as a local process gets it: the image's ENV, then the compose file's
 * `environment:` with `${…}` substituted, then every address, secret path and port made local (hosts → 127.0.0.1,
 * ports → 0, /run/secrets/… → the secrets made for this run, database and role names → this run's).
 */
function localEnvironment(context, service) {
  const { compose, dockerfile, variables, addresses, secretsDir } = context;
  const definition = compose.services[service];
  const image = resolveTarget(dockerfile, definition.build.target);
  const env = {};
  for (const [key, value] of Object.entries(image.env)) if (!key.startsWith("NPM_CONFIG_")) env[key] = value;
  for (const [key, value] of Object.entries(definition.environment ?? {})) env[key] = interpolate(value, variables);
  const portEnv = Object.keys(image.env).find(
    (key) => key.endsWith("_PORT") && image.expose.includes(Number(image.env[key])),
  );
  env[portEnv] = String(context.ports?.[service] ?? 0);
  env.HOST = "127.0.0.1";
  env.DATA_DIR = join(workDir, "data", service);
  for (const [key, value] of Object.entries(env)) {
    const secret = /^\/run\/secrets\/(\w+)$/.exec(value);
    if (secret) {
      env[key] = join(secretsDir, compose.secrets[secret[1]].file.replace("./secrets/", ""));
      continue;
    }
    if (!/^[a-z]+:\/\//.test(value)) continue;
    const url = new URL(value);
    // An address on the host, where the published ports are: already local (the issuer, which browsers reach).
    if (url.hostname === "localhost") continue;
    if (url.protocol === "postgres:") {
      url.username = `${databasePrefix}${url.username}`;
      url.pathname = `/${databasePrefix}${url.pathname.slice(1)}`;
      url.host = POSTGRES_ADMIN_URL.host;
    } else if (url.protocol === "redis:") {
      url.host = REDIS_URL.host;
    } else if (url.protocol === "nats:") {
      // This run's own broker, with compose's users and permissions: the stream and subjects are the defaults.
      if (!context.natsPort) throw new Error(`${service}: ${key} points at NATS, which is not running.`);
      url.host = `127.0.0.1:${context.natsPort}`;
    } else {
      const port = addresses[url.hostname];
      if (port === undefined) throw new Error(`${service}: ${key} points at "${url.hostname}", which is not running.`);
      url.hostname = "127.0.0.1";
      url.port = String(port);
    }
    env[key] = url.toString();
  }
  // Containers start with only the image's environment; so do these processes (plus PATH).
  return { PATH: process.env.PATH, ...env };
}

/**
 * The files compose bind-mounts from ./secrets/ into a service's data folder, put where the service will look for
 * them in its local data folder.
 */
function placeMounts(context, service, env) {
  const definition = context.compose.services[service];
  const dataDir = resolveTarget(context.dockerfile, definition.build.target).env.DATA_DIR;
  for (const volume of definition.volumes ?? []) {
    const [source, target] = volume.split(":");
    if (!source.startsWith("./secrets/") || !target.startsWith(`${dataDir}/`))
      throw new Error(`${service}: test:deploy cannot place the mount ${volume}.`);
    const local = join(env.DATA_DIR, target.slice(dataDir.length + 1));
    mkdirSync(dirname(local), { recursive: true });
    cpSync(join(context.secretsDir, source.replace("./secrets/", "")), local);
  }
}

function startComposeService(context, service, overrides = {}) {
  const definition = context.compose.services[service];
  const [command, ...args] = resolveTarget(context.dockerfile, definition.build.target).cmd;
  if (command !== "node") throw new Error(`${service}: the image runs "${command}", not node.`);
  const env = { ...localEnvironment(context, service), ...overrides };
  placeMounts(context, service, env);
  // process.execPath: the Node 24 this script runs on, the version the image is pinned to.
  return startService(service, process.execPath, args, env, context.imageRoot);
}

// ---- nginx ----

/** deploy/nginx.conf with the replicas' addresses, a port and a log folder of this run; nothing else changes. */
function localNginxConf(text, replicas, port, dir) {
  const replace = (from, to) => {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`deploy/nginx.conf: expected "${from}" once, found it ${count} times.`);
    text = text.replace(from, to);
  };
  for (const [name, replica] of Object.entries(replicas))
    replace(`server ${name}:4000 `, `server 127.0.0.1:${replica.port} `);
  replace("listen 8080;", `listen 127.0.0.1:${port};`);
  replace("/var/log/nginx/", `${dir}/logs/`);
  return text;
}

async function startNginx(replicas, port, name = "nginx") {
  const dir = join(workDir, name);
  for (const sub of ["logs", "temp"]) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, "gateway.conf"), localNginxConf(readFileSync(nginxConfPath, "utf8"), replicas, port, dir));
  // What the nginx image's own main configuration provides around conf.d/*.conf, with every path inside `dir`.
  writeFileSync(
    join(dir, "nginx.conf"),
    [
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/logs/error.log warn;`,
      "worker_processes 1;",
      "events { worker_connections 1024; }",
      "http {",
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${dir}/temp/${t};`),
      `  include ${dir}/gateway.conf;`,
      "}",
      "",
    ].join("\n"),
  );
  const child = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  services.push({ name, child });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i += 1) {
    if (child.exitCode !== null) throw new Error(`nginx stopped: ${stderr}`);
    try {
      if ((await fetch(`${url}/nginx-health`)).ok) return { url, child, accessLog: join(dir, "logs", "access.log") };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not answer on ${url}: ${stderr}`);
}

/**
 * nginx's retry rules, on deploy/nginx.conf itself, against two stand-in replicas that drop the first attempt at
 * every request (as a replica killed while running it does) and answer any later attempt. A read must come back from
 * the second attempt; anything that may be a write must come back 502 after one attempt, never repeated. Each case
 * gets a fresh nginx, so no stand-in is already marked failed.
 */
async function checkRetryRules() {
  const attempts = new Map();
  const standIns = await Promise.all(
    [0, 1].map(
      () =>
        new Promise((resolve) => {
          const server = createHttpServer((request, response) => {
            request.resume();
            request.on("end", () => {
              const id = request.headers["x-request-id"];
              attempts.set(id, (attempts.get(id) ?? 0) + 1);
              if (attempts.get(id) === 1) return request.socket.destroy();
              response.writeHead(200, { "content-type": "application/json" });
              response.end('{"data":{"__typename":"Query"}}');
            });
          });
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  undo.push(["stop the stand-in replicas", () => standIns.forEach((server) => server.close())]);
  const read = JSON.stringify({ query: CHILD_QUERY, variables: { id: "9990000018" } });
  const cases = [
    ["a child read over POST", "POST", read, 200, 2],
    ["a child read over GET", "GET", null, 200, 2],
    ["a mutation", "POST", JSON.stringify({ query: "mutation { reportMissing(input: {}) { id } }" }), 502, 1],
    [
      "a read and a mutation in one document",
      "POST",
      JSON.stringify({ query: `${CHILD_QUERY} mutation M { x }` }),
      502,
      1,
    ],
    ["a document with a \\u escape", "POST", '{"query":"{ child(id: \\"\\u0031\\") { id } }"}', 502, 1],
    [
      "a persisted query sent by hash",
      "POST",
      '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}',
      502,
      1,
    ],
  ];
  const replicas = {
    "gateway-1": { port: standIns[0].address().port },
    "gateway-2": { port: standIns[1].address().port },
  };
  const results = [];
  for (const [i, [name, method, body, status, tries]] of cases.entries()) {
    const nginx = await startNginx(replicas, await freePort(), `nginx-retry-${i}`);
    const requestId = `retry-${runId}-${i}`;
    const search = method === "GET" ? `?${new URLSearchParams({ query: "{ __typename }" })}` : "";
    const response = await fetch(`${nginx.url}/graphql${search}`, {
      method,
      headers: { "content-type": "application/json", "x-request-id": requestId },
      body: body ?? undefined,
    });
    const text = await response.text();
    await stopProcess(nginx.child);
    const seen = attempts.get(requestId) ?? 0;
    check(
      response.status === status && seen === tries,
      `${name}: nginx answered ${response.status} after ${seen} attempt(s); expected ${status} after ${tries}`,
    );
    if (status === 502)
      check(/GATEWAY_UNAVAILABLE/.test(text), `${name}: the 502 does not say the write was not repeated`);
    results.push(`${name} ${response.status} (${seen} ${seen === 1 ? "attempt" : "attempts"})`);
  }
  console.log(`          ${results.join("; ")}`);
}

// ---- PostgreSQL and Redis ----

const adminUrl = (database) => {
  const url = new URL(POSTGRES_ADMIN_URL);
  if (database) url.pathname = `/${database}`;
  return url.toString();
};

async function createDatabases(variables) {
  // Dropped by name pattern, so a run that failed halfway through the script leaves nothing either.
  undo.push([
    "drop this run's databases and roles",
    async () => {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      try {
        const like = `${databasePrefix.replace(/_/g, "\\_")}%`;
        const { rows: databases } = await client.query("select datname from pg_database where datname like $1", [like]);
        for (const { datname } of databases) await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
        const { rows: roles } = await client.query("select rolname from pg_roles where rolname like $1", [like]);
        for (const { rolname } of roles) await client.query(`DROP ROLE "${rolname}"`);
      } finally {
        await client.end();
      }
    },
  ]);
  await run("bash", [join(repoRoot, "deploy", "postgres", "init-databases.sh")], {
    env: {
      PATH: process.env.PATH,
      PGHOST: POSTGRES_ADMIN_URL.hostname,
      PGPORT: POSTGRES_ADMIN_URL.port || "5432",
      ...(POSTGRES_ADMIN_URL.password ? { PGPASSWORD: decodeURIComponent(POSTGRES_ADMIN_URL.password) } : {}),
      POSTGRES_USER: decodeURIComponent(POSTGRES_ADMIN_URL.username),
      POSTGRES_DB: POSTGRES_ADMIN_URL.pathname.slice(1),
      SG_DATABASE_PREFIX: databasePrefix,
      ...variables,
    },
  });
}

/** True when `role` may not connect to `database`: the isolation the init script promises. */
async function connectionRefused(role, password, database) {
  const url = new URL(adminUrl(database));
  url.username = role;
  url.password = password;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    await client.end();
    return false;
  } catch (error) {
    return /permission denied/.test(error.message);
  }
}

// ---- NATS ----

/**
 * Starts nats-server as compose's `nats` service runs it: its command (deploy/nats.conf, JetStream, the monitoring
 * port), with its environment (the users' passwords from this run's .env), the store in this run's folder, and
 * ports of this machine. Ready when its health endpoint says JetStream is on, as compose's health check asks.
 */
async function startBroker(context) {
  const definition = context.compose.services.nats;
  const [binary, ...args] = definition.command;
  if (binary !== "nats-server") throw new Error(`nats: the command runs "${binary}", not nats-server.`);
  const mounted = Object.fromEntries((definition.volumes ?? []).map((v) => v.split(":").slice(0, 2).reverse()));
  const port = await freePort();
  const monitor = await freePort();
  const local = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === "-c") {
      if (!mounted[value]?.startsWith("./")) throw new Error(`nats: ${value} is not mounted from deploy/.`);
      local.push(flag, join(repoRoot, "deploy", mounted[value]));
    } else if (flag === "-sd") local.push(flag, join(workDir, "nats"));
    else if (flag === "-m") local.push(flag, String(monitor));
    else {
      local.push(flag);
      continue;
    }
    i += 1;
  }
  const env = { PATH: process.env.PATH };
  for (const [key, value] of Object.entries(definition.environment ?? {}))
    env[key] = interpolate(value, context.variables);
  const child = spawn(NATS_SERVER, [...local, "-a", "127.0.0.1", "-p", String(port)], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  services.push({ name: "nats", child });
  const output = [];
  createInterface({ input: child.stderr }).on("line", (line) => output.push(line));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const healthy = await fetch(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`)
      .then((r) => r.ok)
      .catch(() => false);
    if (healthy) return port;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`nats-server did not become healthy:\n${output.join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a user may do more than its permissions in deploy/nats.conf allow: it must not. */
async function natsRefuses(port, user, password, action) {
  const nc = await connectNats({ servers: `nats://127.0.0.1:${port}`, user, pass: password, timeout: 2000 });
  try {
    await action(nc);
    return false;
  } catch (error) {
    return /permission/i.test(String(error?.message));
  } finally {
    await nc.close().catch(() => {});
  }
}

// ---- Tokens, as the identity provider would sign them ----

async function tokenIssuer(privateJwk, issuer, audience) {
  const key = await importJWK(privateJwk, "EdDSA");
  return (user, role, organisation) =>
    new SignJWT({ name: user, org: organisation, sg_role: role })
      .setProtectedHeader({ alg: "EdDSA", kid: privateJwk.kid, typ: "JWT" })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(`deploy-test:${user}`)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(key);
}

// ---- The run ----

const problems = [];
const check = (ok, message) => {
  if (!ok) problems.push(message);
  return ok;
};

async function preflight() {
  try {
    await run("nginx", ["-v"]);
  } catch {
    throw new Error("nginx is not installed: apt-get install -y nginx (the test runs its own instance).");
  }
  const client = new pg.Client({ connectionString: adminUrl() });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    throw new Error(`PostgreSQL does not answer at ${POSTGRES_ADMIN_URL.host} (TEST_DATABASE_URL): ${error.message}`, {
      cause: error,
    });
  }
  const redis = new Redis(REDIS_URL.toString(), { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis does not answer at ${REDIS_URL.host} (TEST_REDIS_URL): ${error.message}`, { cause: error });
  } finally {
    redis.disconnect();
  }
  if (!existsSync(NATS_SERVER))
    throw new Error(`${NATS_SERVER} is not installed: apt-get install -y nats-server (the test runs its own broker).`);
}

async function graphql(url, token, query, variables, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const CHILD_QUERY = `query Child($id: ID!) {
  child(id: $id, purpose: { code: SAFEGUARDING_ENQUIRY, reference: "DEPLOY-TEST" }) {
    id givenName police { missingEpisodes { id } } socialCare { legalStatus { code } } health { gpPractice { name } }
  }
}`;

// The demo child (999 000 0018) and her allocated social worker in the demo seed; the reporting officer may write
// police's missing-episode records. Both sign in at the identity provider, as the portal's users do.
const DEMO_CHILD = "9990000018";
const REPORTER = "response-officer";
const SOCIAL_WORKER = "social-worker";
const ALERT_WAIT_MS = 10_000;
const MY_ALERTS = "{ myAlerts(unacknowledgedOnly: false, first: 50) { id kind childId reason } }";

/**
 * Reports the demo child missing through nginx as a police officer and waits for the MISSING_REPORTED alert to appear
 * in her social worker's myAlerts, also through nginx. The seed has her missing already and police refuse a second
 * open episode, so the open one is recorded found first (a FOUND alert, not the one waited for). Returns how long the
 * alert took after the write was answered (null if it never came).
 */
async function checkAlertPath(issuer, nginxGraphql) {
  step(`Alert: ${REPORTER} reports ${DEMO_CHILD} missing through nginx; her social worker waits for it in myAlerts`);
  const { demoAccessToken } = await import("@safeguarding/identity-provider/client");
  const [reporter, socialWorker] = await Promise.all([
    demoAccessToken(issuer, REPORTER),
    demoAccessToken(issuer, SOCIAL_WORKER),
  ]);
  const ask = async (token, query, variables) => {
    const { status, body } = await graphql(nginxGraphql, token, query, variables);
    if (status !== 200 || body.errors) throw new Error(`${query.slice(0, 60)}…: ${status} ${JSON.stringify(body)}`);
    return body.data;
  };
  const before = new Set((await ask(socialWorker, MY_ALERTS)).myAlerts.map((alert) => alert.id));
  const episode = await reportDemoChildMissing(
    (query, variables) => ask(reporter, query, variables),
    DEMO_CHILD,
    "DEPLOY-TEST",
  );
  const answeredAt = Date.now();
  check(episode.status === "MISSING", `reportMissing answered ${JSON.stringify(episode)}`);

  let alert;
  let polls = 0;
  while (!alert && Date.now() - answeredAt < ALERT_WAIT_MS) {
    polls += 1;
    const { myAlerts } = await ask(socialWorker, MY_ALERTS);
    alert = myAlerts.find((a) => !before.has(a.id) && a.kind === "MISSING_REPORTED" && a.childId === DEMO_CHILD);
    // Often at first, then less: the social worker's requests count against the run's low rate limit too.
    if (!alert) await new Promise((r) => setTimeout(r, Math.min(100 * 1.3 ** polls, 1000)));
  }
  const afterMs = alert ? Date.now() - answeredAt : null;
  check(
    alert?.reason === "allocated social worker",
    alert
      ? `the alert reached the social worker with the reason "${alert.reason}", not "allocated social worker"`
      : `no MISSING_REPORTED alert for ${DEMO_CHILD} reached ${SOCIAL_WORKER} within ${ALERT_WAIT_MS / 1000} s of the write`,
  );
  console.log(
    `          ${alert ? `MISSING_REPORTED visible to ${SOCIAL_WORKER} ${afterMs} ms after reportMissing was answered (${polls} polls of myAlerts)` : "no alert"}`,
  );
  return {
    kind: "MISSING_REPORTED",
    childId: DEMO_CHILD,
    recipient: SOCIAL_WORKER,
    reason: alert?.reason ?? "none",
    afterMs,
  };
}

async function main() {
  await preflight();
  const dockerfile = loadDockerfile();
  const compose = loadCompose();

  step("nginx's retry rules (deploy/nginx.conf), with stand-in replicas that drop the first attempt at each request");
  await checkRetryRules();

  step("Making keys and passwords (npm run deploy:secrets' own code) and this run's databases and roles");
  const secretsDir = join(workDir, "secrets");
  const secrets = makeSecrets({ secretsDir, envFile: join(workDir, ".env") });
  await createDatabases(secrets.env);
  check(
    await connectionRefused(`${databasePrefix}police`, secrets.env.POLICE_DB_PASSWORD, `${databasePrefix}health`),
    "the police role could connect to health's database",
  );
  undo.push([
    "delete this run's Redis keys",
    async () => {
      const redis = new Redis(REDIS_URL.toString(), { maxRetriesPerRequest: 1 });
      try {
        const keys = await redis.keys(`${redisPrefix}*`);
        if (keys.length) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  ]);

  const targets = serviceTargets(dockerfile);
  step("Replaying the image's runtime stage into a folder (npm ci --omit=dev, then every COPY)");
  // Beside the install cache, so the install moves in and out with a rename.
  const imageRoot = join(repoRoot, "node_modules", ".cache", `sg-deploy-image-${runId}`);
  mkdirSync(imageRoot, { recursive: true });
  undo.push(["remove the image folder", () => rmSync(imageRoot, { recursive: true, force: true })]);
  const fromCache = await replayImage(dockerfile, targets, imageRoot);
  if (fromCache)
    step("  (the production install came from node_modules/.cache/sg-deploy: same lock file and manifests)");

  // The identity provider's issuer is the address it is published at (AUTH_ISSUER, http://localhost:4400 by
  // default): here a free port of this machine, so the provider's own sign-in flow can be driven at that address.
  const idpPort = await freePort();
  const context = {
    compose,
    dockerfile,
    variables: { ...secrets.env, AUTH_ISSUER: `http://localhost:${idpPort}` },
    addresses: {},
    ports: { "identity-provider": idpPort },
    secretsDir,
    imageRoot,
  };
  step(
    "Starting nats-server as compose runs it (deploy/nats.conf: a user per service, each allowed only what it does)",
  );
  context.natsPort = await startBroker(context);
  const byTarget = (target) =>
    Object.keys(compose.services).filter((name) => compose.services[name].build?.target === target);
  const agencies = ["police", "social-care", "health"].flatMap(byTarget);
  const replicaNames = byTarget("gateway");
  if (replicaNames.join() !== [SURVIVOR, KILLED].join()) throw new Error(`Expected ${SURVIVOR} and ${KILLED}.`);

  step(`Seeding ${options.children} synthetic children into each agency's database`);
  const seedEnv = { PATH: process.env.PATH };
  for (const agency of agencies) Object.assign(seedEnv, localEnvironment(context, agency));
  await run(process.execPath, [join(repoRoot, "scripts", "seed.mjs"), "--children", options.children], {
    env: Object.fromEntries(Object.entries(seedEnv).filter(([key]) => key.endsWith("_DATABASE_URL") || key === "PATH")),
  });

  step("Starting the identity provider, the alerts service, the agencies and the portal, then both gateway replicas");
  // nginx's port is chosen now: the portal is given it (GATEWAY_URL) before nginx starts, as compose would.
  const nginxPort = await freePort();
  context.addresses.nginx = nginxPort;
  // The identity provider first: the portal's server is given its address (OIDC_INTERNAL_URL), as compose would.
  const provider = await startComposeService(context, "identity-provider");
  context.addresses[provider.name] = provider.port;
  const others = await Promise.all(
    // Every other service the compose file builds, but the gateways: those start once the agencies are up. The alerts
    // service starts beside the agencies: whichever reaches the broker first adds the stream, and the relays retry.
    Object.keys(compose.services)
      .filter((name) => compose.services[name].build && !replicaNames.includes(name) && name !== "identity-provider")
      .map((name) => startComposeService(context, name)),
  );
  for (const service of others) context.addresses[service.name] = service.port;
  const first = [provider, ...others];
  const gatewayOverrides = { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), RATE_LIMIT_KEY_PREFIX: redisPrefix };
  const replicaList = await Promise.all(
    replicaNames.map((name) => startComposeService(context, name, gatewayOverrides)),
  );
  const replicas = Object.fromEntries(replicaList.map((r) => [r.name, r]));
  for (const service of [...first, ...replicaList]) {
    const ready = await fetch(service.url.replace(/\/graphql$/, "") + "/ready");
    check(ready.ok, `${service.name} is not ready: ${await ready.text()}`);
  }
  // What deploy/nats.conf forbids, now that the alerts service has made the stream and its consumer.
  const natsPassword = (name) => secrets.env[`NATS_${name.toUpperCase().replace("-", "_")}_PASSWORD`];
  const brokerRefusals = {
    "no user": await connectNats({ servers: `nats://127.0.0.1:${context.natsPort}`, timeout: 2000 })
      .then((nc) => nc.close().then(() => false))
      .catch((error) => /authorization/i.test(String(error?.message))),
    "police publishing health's event": await natsRefuses(context.natsPort, "police", natsPassword("police"), (nc) =>
      jetstream(nc).publish("safeguarding.events.HEALTH.MENTAL_HEALTH_ESCALATION_DUE", "{}"),
    ),
    "police reading the alerts consumer": await natsRefuses(context.natsPort, "police", natsPassword("police"), (nc) =>
      jetstreamManager(nc).then((jsm) => jsm.consumers.info("SAFEGUARDING_EVENTS", "alerts")),
    ),
  };
  for (const [what, refused] of Object.entries(brokerRefusals))
    check(refused, `the broker did not refuse ${what} (deploy/nats.conf)`);
  step(`Broker: refused ${Object.keys(brokerRefusals).join("; ")}`);

  const nginx = await startNginx(replicas, nginxPort);
  const nginxGraphql = `${nginx.url}/graphql`;
  step(`nginx on ${nginx.url} in front of ${replicaList.map((r) => `${r.name} (:${r.port})`).join(", ")}`);

  const gatewayEnv = localEnvironment(context, SURVIVOR);
  const sign = await tokenIssuer(secrets.identityProviderKey, gatewayEnv.AUTH_ISSUER, gatewayEnv.AUTH_AUDIENCE);

  // -- The rate limit is one budget across both replicas --
  step(
    `Rate limit (${RATE_LIMIT} a minute): ${RATE_LIMIT} requests by one user, alternating replicas, then one more to each`,
  );
  const probeToken = await sign("rate-limit-probe", "CONTROL_ROOM", "Avonvale Police, Force Control Room");
  const statuses = [];
  for (let i = 0; i < RATE_LIMIT; i += 1) {
    const replica = replicaList[i % 2];
    statuses.push((await graphql(replica.url, probeToken, "{ __typename }")).status);
  }
  const afterLimit = {};
  for (const replica of replicaList)
    afterLimit[replica.name] = (await graphql(replica.url, probeToken, "{ __typename }")).status;
  const viaNginx = (await graphql(nginxGraphql, probeToken, "{ __typename }")).status;
  check(
    statuses.every((s) => s === 200),
    `the first ${RATE_LIMIT} requests were not all answered: ${statuses.join(",")}`,
  );
  for (const [name, status] of Object.entries(afterLimit))
    check(status === 429, `${name} answered ${status}, not 429, once the user's shared budget was spent`);
  check(viaNginx === 429, `nginx passed on ${viaNginx}, not 429`);
  console.log(
    `          ${RATE_LIMIT / 2} requests to each replica, all 200; then ${Object.entries(afterLimit)
      .map(([name, status]) => `${name} ${status}`)
      .join(", ")}, through nginx ${viaNginx}: each replica refuses once the budget both share is spent`,
  );

  // -- The load --
  const kit = await import("@safeguarding/kit");
  const ids = [...kit.syntheticChildren(Number(options.children))].map((c) => c.nhsNumber);
  const perUser = RATE_LIMIT / 2;
  const users = Math.ceil(READS / perUser);
  const tokens = await Promise.all(
    Array.from({ length: users }, (_, i) =>
      sign(`officer-${String(i).padStart(3, "0")}`, "POLICE_SAFEGUARDING", "Avonvale Police, MACE Team"),
    ),
  );

  // -- One sign-in, end to end: a demo officer signs in at the identity provider (authorization code with PKCE), and
  //    its access token reads a child through nginx; the gateways trust it through AUTH_JWKS_FILE alone --
  step("Sign-in: a demo officer signs in at the identity provider and reads a child through nginx with its token");
  const { demoAccessToken } = await import("@safeguarding/identity-provider/client");
  const signInToken = await demoAccessToken(context.variables.AUTH_ISSUER, "police-safeguarding");
  const signInSubject = JSON.parse(Buffer.from(signInToken.split(".")[1], "base64url").toString()).sub;
  const signInRead = await graphql(
    nginxGraphql,
    signInToken,
    CHILD_QUERY,
    { id: ids[0] },
    { "x-request-id": `si${runId}` },
  );
  if (signInRead.status !== 200 || signInRead.body.errors || signInRead.body.data?.child?.id !== ids[0])
    throw new Error(`A read with the identity provider's token failed: ${JSON.stringify(signInRead.body)}`);
  console.log(`          ${signInSubject} read ${ids[0]}: 200, answered as ${signInRead.headers.get("x-request-id")}`);

  step(
    `Load: ${READS} child reads through nginx, ${CONNECTIONS} connections, ${ids.length} children, ${users} officers; ${KILLED} frozen then killed (SIGKILL) after ${Math.round(READS / 3)} answers`,
  );
  const sent = new Map();
  const answers = new Map();
  let next = 0;
  let answered = 0;
  let killedAt = null;
  const killed = replicas[KILLED];
  const kill = () => {
    // Frozen first, so requests are certainly in flight on it when it dies, as when a process hangs and is killed.
    killed.child.kill("SIGSTOP");
    killedAt = answered;
    setTimeout(() => killed.child.kill("SIGKILL"), 400);
  };
  const load = await autocannon({
    url: nginxGraphql,
    method: "POST",
    connections: CONNECTIONS,
    amount: READS,
    timeout: 20,
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest(request, context) {
          const n = next++;
          const requestId = `dl${runId}-${n}`;
          const id = ids[n % ids.length];
          sent.set(requestId, id);
          context.requestId = requestId;
          return {
            ...request,
            headers: {
              ...request.headers,
              authorization: `Bearer ${tokens[n % users]}`,
              "x-request-id": requestId,
            },
            body: JSON.stringify({ query: CHILD_QUERY, variables: { id } }),
          };
        },
        onResponse(status, body, context, headers) {
          const answeredAs = Object.entries(headers).find(([name]) => name.toLowerCase() === "x-request-id")?.[1];
          answers.set(context.requestId, { status, body, answeredAs });
          answered += 1;
          if (answered === Math.round(READS / 3)) kill();
        },
      },
    ],
  });
  await new Promise((r) => setTimeout(r, 200));
  check(killed.child.signalCode === "SIGKILL", `${KILLED} was not killed (${killed.child.signalCode})`);

  // -- What the client saw --
  let failed = 0;
  for (const [requestId, id] of sent) {
    const answer = answers.get(requestId);
    let body;
    try {
      body = JSON.parse(answer?.body ?? "null");
    } catch {
      body = null;
    }
    const ok =
      answer?.status === 200 &&
      !body?.errors &&
      body?.data?.child?.id?.replace(/\s/g, "") === id &&
      typeof answer.answeredAs === "string" &&
      answer.answeredAs.startsWith(`${requestId}.`);
    if (!ok) {
      failed += 1;
      if (failed <= 3) console.error(`          failed: ${requestId} ${answer?.status} ${answer?.body?.slice(0, 300)}`);
    }
  }
  failed += load.errors + load.timeouts;
  check(sent.size === READS, `${sent.size} reads were sent, not ${READS}`);
  check(failed === 0, `${failed} of ${READS} reads failed (errors ${load.errors}, timeouts ${load.timeouts})`);

  // -- What nginx did --
  const portToReplica = Object.fromEntries(replicaList.map((r) => [`127.0.0.1:${r.port}`, r.name]));
  const lines = readFileSync(nginx.accessLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((line) => line.request_id.startsWith(`dl${runId}-`));
  const served = Object.fromEntries(replicaNames.map((name) => [name, 0]));
  const retried = { afterSending: new Set(), refused: new Set() };
  for (const line of lines) {
    const hops = line.upstream.split(" : ");
    const tries = hops.flatMap((hop) => hop.split(", "));
    served[portToReplica[tries.at(-1)]] += 1;
    if (hops.length > 1) retried.afterSending.add(line.request_id);
    else if (tries.length > 1) retried.refused.add(line.request_id);
    if (tries.length > 1)
      check(portToReplica[tries[0]] === KILLED, `${line.request_id} was retried away from ${tries[0]}`);
  }
  check(lines.length === READS, `nginx logged ${lines.length} of the ${READS} reads`);
  check(
    retried.afterSending.size > 0,
    `no read was in flight on ${KILLED} when it died, so the retry of a sent POST was not exercised`,
  );

  // -- What the gateway's audit trail holds --
  const auditClient = new pg.Client({ connectionString: gatewayEnv.GATEWAY_DATABASE_URL });
  await auditClient.connect();
  const { rows: signInEntries } = await auditClient.query("select user_id from audit_log where request_id = $1", [
    signInRead.headers.get("x-request-id"),
  ]);
  check(
    signInEntries.length === 1 && signInEntries[0].user_id === signInSubject,
    `the signed-in read is not in the audit trail once under ${signInSubject}: ${JSON.stringify(signInEntries)}`,
  );
  const { rows } = await auditClient.query(
    "select request_id, user_id, child_ids, action, outcome from audit_log where request_id like $1",
    [`dl${runId}-%`],
  );
  // Both replicas run the protocol watch on the one gateway database: each overdue step is raised once between them,
  // and the relays have published every event.
  const { rows: watchPasses } = await auditClient.query(
    // OK: every agency answered the pass on PostgreSQL (a refused or failed query would make it PARTIAL).
    "select count(*)::int as n from audit_log where operation = 'protocolWatch' and outcome = 'OK'",
  );
  const { rows: watchRaised } = await auditClient.query(
    `select (select count(*)::int from protocol_watch_raised) as raised,
            (select count(*)::int from outbox where kind = 'PROTOCOL_OVERDUE') as events,
            (select count(*)::int from outbox where published_at is null) as waiting`,
  );
  await auditClient.end();
  check(watchPasses[0].n > 0, "the gateways' protocol watch recorded no complete pass in the audit trail");
  // Published as the broker's gateway user, which may publish PROTOCOL_OVERDUE and nothing else.
  check(watchRaised[0].waiting === 0, `${watchRaised[0].waiting} PROTOCOL_OVERDUE events were never published`);
  check(
    watchRaised[0].raised === watchRaised[0].events,
    `the protocol watch raised ${watchRaised[0].raised} steps but wrote ${watchRaised[0].events} PROTOCOL_OVERDUE events`,
  );
  const entries = new Map();
  for (const row of rows) entries.set(row.request_id, [...(entries.get(row.request_id) ?? []), row]);
  const duplicated = [...entries].filter(([, list]) => list.length > 1);
  check(duplicated.length === 0, `${duplicated.length} request ids have more than one audit entry`);
  const delivered = new Set();
  for (const [requestId, id] of sent) {
    const answer = answers.get(requestId);
    if (!answer?.answeredAs) continue;
    delivered.add(answer.answeredAs);
    const entry = entries.get(answer.answeredAs)?.[0];
    if (!check(entry, `the answer to ${requestId} (${answer.answeredAs}) has no audit entry`)) continue;
    check(
      entry.action === "READ" && JSON.parse(entry.child_ids).includes(id) && entry.user_id.startsWith("deploy-test:"),
      `the audit entry ${answer.answeredAs} does not record the read of ${id}: ${JSON.stringify(entry)}`,
    );
  }
  const unanswered = [...entries.keys()].filter((requestId) => !delivered.has(requestId));
  for (const requestId of unanswered) {
    const asked = requestId.slice(0, requestId.lastIndexOf("."));
    check(
      retried.afterSending.has(asked),
      `the audit entry ${requestId} has no answer and is not from a read ${KILLED} was running when it died`,
    );
  }
  const readsInTrail = new Set(rows.map((row) => row.request_id.slice(0, row.request_id.lastIndexOf("."))));
  check(readsInTrail.size === READS, `${readsInTrail.size} of ${READS} reads are in the audit trail`);

  // -- An alert, end to end: a police write through nginx reaches the allocated social worker's myAlerts --
  const alerted = await checkAlertPath(context.variables.AUTH_ISSUER, nginxGraphql);

  // -- Every chain intact --
  step("npm run audit:verify on the five chains (the gateway's, each agency's, the alerts service's)");
  const verifyEnv = { PATH: process.env.PATH, DATA_DIR: join(workDir, "data", "verify") };
  for (const name of [...agencies, "alerts", SURVIVOR]) {
    const env = localEnvironment(context, name);
    for (const [key, value] of Object.entries(env)) if (key.endsWith("_DATABASE_URL")) verifyEnv[key] = value;
  }
  const verified = JSON.parse(
    await run(process.execPath, [join(repoRoot, "scripts", "audit-verify.mjs"), "--json"], { env: verifyEnv }).catch(
      (error) => error.message.slice(error.message.indexOf("{")),
    ),
  );
  for (const result of verified.results)
    check(result.status === "ok" && result.entries > 0, `audit:verify: ${result.store} is ${result.status}`);

  // -- Figures --
  const elapsed = (Date.now() - started) / 1000;
  console.log(`
Reads:     ${READS} sent through nginx, ${READS - failed} answered 200 with the child, ${failed} failed
           ${Math.round(load.requests.average)} reads/s, p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, over ${load.duration.toFixed(1)} s
Served by: ${replicaNames.map((name) => `${name} ${served[name]}`).join(", ")}
           ${KILLED} frozen and killed after ${killedAt} answers; ${retried.afterSending.size} reads it was running were sent again to ${SURVIVOR} (@retry_read), ${retried.refused.size} more were refused by its closed port and passed on
Audit:     ${delivered.size} answered reads, each in the gateway's trail exactly once under the x-request-id it was answered with
           ${unanswered.length} entries written by ${KILLED} for reads it ran but never answered (each read answered once by ${SURVIVOR})
           ${verified.results.map((r) => `${r.store} ${r.status} (${r.entries})`).join(", ")}
Watch:     ${watchPasses[0].n} protocol-watch passes over both replicas; ${watchRaised[0].raised} overdue steps raised, each once, all published
Alert:     ${alerted.kind} for ${alerted.childId} in ${alerted.recipient}'s myAlerts through nginx ${alerted.afterMs === null ? "never (within the wait)" : `${alerted.afterMs} ms after the write was answered`} (reason: ${alerted.reason})
Time:      ${elapsed.toFixed(1)} s`);
}

const timer = setTimeout(() => {
  console.error(`test:deploy did not finish within ${TIME_LIMIT_MS / 1000} s; cleaning up.`);
  cleanUp().finally(() => process.exit(1));
}, TIME_LIMIT_MS);

try {
  await main();
} catch (error) {
  problems.push(error.stack ?? String(error));
} finally {
  clearTimeout(timer);
  await cleanUp();
}
if (problems.length) {
  console.error(`\ntest:deploy FAILED:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log("\ntest:deploy passed.");
