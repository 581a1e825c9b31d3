import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startDelayingProxy, startProxy } from "./proxy.js";
import { AGENCIES as AGENCY_TABLE, type AgencyRow } from "@safeguarding/shared/agencies";
import { SERVICE_NODE_ARGS } from "../../scripts/services.mjs";
import { ACCESS_POLICY } from "@safeguarding/shared/policy";
import { DEMO_USERS, findDemoUser, GATEWAY_AUDIENCE } from "@safeguarding/shared/demo-users";
import { agencyAssertionKey } from "@safeguarding/shared/assertion";
import { loadOrCreateKeyPair, loadOrCreateSecret } from "@safeguarding/shared/keys";
import { demoAccessToken } from "@safeguarding/identity-provider/client";
import { apiExplorerRedirectUris } from "@safeguarding/identity-provider/constants";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const DEMO_CHILD = "9990000018";

/** The purpose every test read states; child and children refuse to run without one. */
export const PURPOSE = 'purpose: { code: SAFEGUARDING_ENQUIRY, reference: "TEST-0001" }';

/** The demo user tests read as unless they say otherwise: the demo child's allocated social worker. */
export const DEFAULT_USER = "social-worker";

/** A demo user whose role the access policy lets make this write (the owning agency's roles). */
export function writerFor(mutation: string): string {
  const rule = ACCESS_POLICY.Mutation.fields?.[mutation];
  const roles = rule && rule.allow !== "ANYONE" ? rule.allow : [];
  const user = DEMO_USERS.find((u) => roles.includes(u.role));
  if (!user) throw new Error(`No demo user may make the write ${mutation}.`);
  return user.id;
}

export interface QueryOptions {
  /** A demo user id (npm run token -- --list); DEFAULT_USER when neither this nor token is given. */
  as?: string;
  /** A raw Authorization header value, or null for none. */
  authorization?: string | null;
  headers?: Record<string, string>;
}

/** PostgreSQL as CI and these machines run it; tests that need it create and drop their own databases. */
export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export type AgencyName = AgencyRow["name"];
const AGENCIES = AGENCY_TABLE.map((a) => ({ name: a.name, env: a.envPrefix }));
const noRequests = () => Object.fromEntries(AGENCIES.map((a) => [a.name, 0])) as Record<AgencyName, number>;

interface RunningProcess {
  child: ChildProcess;
  url: string;
  /** Where it serves /metrics, as its ready line says; undefined when nowhere. */
  metricsUrl?: string;
  output: string[];
  /** What it was started with, so it can be started again the same way. */
  entry: string;
  env: Record<string, string>;
}

/** Starts one built service as its own process on port 0 and waits for its "ready" line. */
function startProcess(entry: string, env: Record<string, string>): Promise<RunningProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, join(repoRoot, entry)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`${entry} was not ready within 30 s:\n${output.join("\n")}`)),
      30_000,
    );
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      try {
        const event = JSON.parse(line) as { event?: string; url?: string; metricsUrl?: string };
        if (event.event === "ready" && event.url) {
          clearTimeout(timer);
          resolve({ child, url: event.url, metricsUrl: event.metricsUrl, output, entry, env });
        }
      } catch {
        // plain log line
      }
    });
    createInterface({ input: child.stderr! }).on("line", (line) => output.push(line));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready:\n${output.join("\n")}`));
    });
  });
}

function stopProcess(process: RunningProcess): Promise<void> {
  return new Promise((resolve) => {
    if (process.child.exitCode !== null || process.child.signalCode !== null) return resolve();
    process.child.once("exit", () => resolve());
    // A frozen process (SIGSTOP) acts on SIGTERM only once it runs again.
    process.child.kill("SIGCONT");
    process.child.kill("SIGTERM");
  });
}

export interface Cluster {
  gatewayUrl: string;
  /** The identity provider's issuer URL (where it answers): the cluster's gateway trusts its tokens. */
  issuer: string;
  subgraphUrls: Record<AgencyName, string>;
  /** Where the gateway and each agency serve /metrics (their ready lines say); undefined when nowhere. */
  metricsUrls: Record<"gateway" | AgencyName, string | undefined>;
  /** Every line the gateway or an agency has written so far (its JSON logs), in order. */
  logs(service: "gateway" | "alerts" | AgencyName): string[];
  dataDir: string;
  /** The alerts service's base URL (its GraphQL at /graphql, the agencies' events at /events). */
  alertsUrl: string;
  /** Stops the alerts service (SIGTERM), or kills it (SIGKILL); startAlerts starts it again on the same port and store. */
  stopAlerts(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  startAlerts(): Promise<void>;
  /** Stops one agency's subgraph, to test partial answers. */
  stopAgency(name: AgencyName): Promise<void>;
  /** Sends a signal to one agency's process: SIGSTOP freezes it, SIGCONT resumes it, SIGKILL kills it. */
  signalAgency(name: AgencyName, signal: NodeJS.Signals): void;
  /** Starts a stopped or killed agency again on the same port and store. */
  restartAgency(name: AgencyName): Promise<void>;
  query<T = any>(query: string, variables?: Record<string, unknown>, options?: QueryOptions): Promise<GraphqlResult<T>>;
  /**
   * How many HTTP requests the gateway made to each agency for one request id (the `x-request-id` the caller
   * sent), when the cluster was started with `countAgencyRequests`.
   */
  agencyRequests(requestId: string): Record<AgencyName, number>;
  /** An access token for a demo user, signed in through the cluster's identity provider (code + PKCE). */
  token(user: string): Promise<string>;
  close(): Promise<void>;
}

export interface GraphqlResult<T> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function postGraphql<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphqlResult<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphqlResult<T>, "status">;
  return { status: response.status, ...body };
}

/**
 * The settings production requires: the identity provider's keys (a file, as the tests cannot serve its JWKS over
 * https), issuer and audience, and the assertion keys.
 */
async function productionKeyEnv(dataDir: string, issuer: string): Promise<Record<string, string>> {
  const signing = await loadOrCreateKeyPair(dataDir, "identity-provider");
  const jwksFile = join(dataDir, "keys", "identity-provider.jwks.json");
  writeFileSync(jwksFile, JSON.stringify({ keys: [signing.publicJwk] }));
  const assertion = await loadOrCreateSecret(dataDir, "gateway-assertion");
  // Agencies sign the events they post to the alerts service with it (issue 12); production requires the file.
  const events = await loadOrCreateSecret(dataDir, "events");
  // Each agency is given only its own key, as a deployment gives it (npm run deploy:secrets).
  for (const name of [...AGENCIES.map((a) => a.name), "alerts"])
    writeFileSync(agencyKeyFile(dataDir, name), JSON.stringify(agencyAssertionKey(assertion.jwk, name)), {
      mode: 0o600,
    });
  return {
    AUTH_JWKS_FILE: jwksFile,
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: GATEWAY_AUDIENCE,
    GATEWAY_ASSERTION_SECRET_FILE: assertion.path,
    EVENTS_SECRET_FILE: events.path,
  };
}

const agencyKeyFile = (dataDir: string, agency: string) =>
  join(dataDir, "keys", `gateway-assertion.${agency}.jwk.json`);

/** One demo user's way of asking the cluster's gateway: the data of the answer, or a throw naming its errors. */
export function asker(cluster: Cluster, userId: string) {
  return async (query: string, variables: Record<string, unknown>) => {
    const result = await cluster.query(query, variables, { as: userId });
    if (result.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
}

/**
 * Social care records a demo user as a child's allocated social worker (recordCareTeam, as the user writerFor names),
 * and the test waits for nothing: the CARE_TEAM_CHANGED event travels on social care's relay.
 */
export async function allocateSocialWorker(cluster: Cluster, childId: string, userId: string): Promise<void> {
  const user = findDemoUser(userId);
  if (!user) throw new Error(`No demo user "${userId}".`);
  const recorded = await cluster.query<{ recordCareTeam: { socialWorker: { person: { name: string } } } }>(
    `mutation($input: RecordCareTeamInput!) { recordCareTeam(input: $input) { socialWorker { person { name } } } }`,
    {
      input: {
        childId,
        socialWorker: { name: user.name, email: user.email, phone: "01632 960 360" },
        recordedBy: "Graham Boateng",
      },
    },
    { as: writerFor("recordCareTeam") },
  );
  if (recorded.errors) throw new Error(`recordCareTeam failed: ${JSON.stringify(recorded.errors)}`);
  if (recorded.data?.recordCareTeam.socialWorker.person.name !== user.name)
    throw new Error(`recordCareTeam did not record ${user.name}: ${JSON.stringify(recorded.data)}`);
}

/** A port nothing listens on now, for a process that must know its own address before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function createDatabases(names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    for (const name of names) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function dropDatabases(names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Boots the identity provider, the three agency subgraphs and the gateway as real processes on port 0, each agency
 * with its own store: SQLite files in a temp dir, or a fresh PostgreSQL database per agency. The gateway trusts the
 * provider (its discovery document, or in production its keys from a file) and tokens come from it.
 */
export async function startCluster(
  options: {
    store?: "sqlite" | "postgres";
    env?: Record<string, string>;
    delay?: { agency: AgencyName; ms: number };
    /** Puts a proxy in front of every agency that counts the gateway's requests to it per request id. */
    countAgencyRequests?: boolean;
    /**
     * Training portals (their base URLs) to register at the identity provider, so they can sign in there: each
     * one's /auth/callback and its home page as the address to come back to after signing out.
     */
    portals?: string[];
    /**
     * The gateway's API explorer signs in from a browser: the gateway gets a port chosen before the identity
     * provider starts, so the provider can register the explorer's callback on it (IDP_EXPLORER_REDIRECT_URIS).
     */
    explorer?: boolean;
  } = {},
): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), "sg-cluster-"));
  const suffix = Math.random().toString(36).slice(2, 8);
  // On PostgreSQL each agency and the gateway's audit trail get a database of their own.
  const databases =
    options.store === "postgres"
      ? [...AGENCIES.map((a) => a.name), "gateway", "alerts"].map(
          (name) => `sg_test_${suffix}_${name.replace("-", "_")}`,
        )
      : [];
  if (databases.length) await createDatabases(databases);

  // The provider never runs in production (it refuses to): in a production cluster it stands in for the
  // organisation's own provider, so it does not get the cluster's settings.
  const gatewayPort = options.explorer ? await freePort() : 0;
  const identityProvider = await startProcess("gateway/identity-provider/dist/main.js", {
    DATA_DIR: dataDir,
    IDP_PORT: "0",
    ...(options.explorer ? { IDP_EXPLORER_REDIRECT_URIS: apiExplorerRedirectUris(gatewayPort).join(",") } : {}),
    ...(options.portals?.length
      ? {
          IDP_PORTAL_REDIRECT_URIS: options.portals.map((url) => `${url}/auth/callback`).join(","),
          IDP_PORTAL_POST_LOGOUT_REDIRECT_URIS: options.portals.map((url) => `${url}/`).join(","),
        }
      : {}),
  });
  // Production refuses the development defaults: give it key files, as a deployment would from its secret store.
  const keyEnv =
    options.env?.NODE_ENV === "production"
      ? await productionKeyEnv(dataDir, identityProvider.url)
      : { AUTH_ISSUER: identityProvider.url };
  // The alerts service first: the agencies' relays post their events to it (no NATS_URL: the embedded transport).
  const production = options.env?.NODE_ENV === "production";
  let alerts = await startProcess("subgraphs/alerts/dist/main.js", {
    DATA_DIR: dataDir,
    ALERTS_PORT: "0",
    ...keyEnv,
    ...(production ? { GATEWAY_ASSERTION_KEY_FILE: agencyKeyFile(dataDir, "alerts") } : {}),
    ...(databases.length ? { ALERTS_DATABASE_URL: databaseUrl(databases[AGENCIES.length + 1]) } : {}),
    ...options.env,
  });
  const alertsBase = alerts.url.replace(/\/graphql$/, "");
  const agencies = new Map<AgencyName, RunningProcess>();
  const started = await Promise.all(
    AGENCIES.map(async (agency, i) => {
      const env: Record<string, string> = {
        DATA_DIR: dataDir,
        [`${agency.env}_PORT`]: "0",
        ALERTS_EVENTS_URL: `${alertsBase}/events`,
        ...keyEnv,
        ...(options.env?.NODE_ENV === "production"
          ? { GATEWAY_ASSERTION_KEY_FILE: agencyKeyFile(dataDir, agency.name) }
          : {}),
        ...options.env,
      };
      if (databases.length) env[`${agency.env}_DATABASE_URL`] = databaseUrl(databases[i]);
      return [agency.name, await startProcess(`subgraphs/${agency.name}/dist/main.js`, env)] as const;
    }),
  );
  for (const [name, running] of started) agencies.set(name, running);
  const proxy = options.delay
    ? await startDelayingProxy(agencies.get(options.delay.agency)!.url, options.delay.ms)
    : null;
  const counts = new Map<string, Record<AgencyName, number>>();
  const counters = options.countAgencyRequests
    ? new Map(
        await Promise.all(
          AGENCIES.map(
            async (agency) =>
              [
                agency.name,
                await startProxy(agencies.get(agency.name)!.url, {
                  onRequest(headers) {
                    const id = String(headers["x-request-id"] ?? "none");
                    const entry = counts.get(id) ?? noRequests();
                    entry[agency.name] += 1;
                    counts.set(id, entry);
                  },
                }),
              ] as const,
          ),
        ),
      )
    : null;
  const urlFor = (name: AgencyName) =>
    proxy && options.delay?.agency === name ? proxy.url : (counters?.get(name)?.url ?? agencies.get(name)!.url);
  const gateway = await startProcess("gateway/dist/main.js", {
    DATA_DIR: dataDir,
    ...keyEnv,
    ...(databases.length ? { GATEWAY_DATABASE_URL: databaseUrl(databases[AGENCIES.length]) } : {}),
    GATEWAY_PORT: String(gatewayPort),
    POLICE_URL: urlFor("police"),
    SOCIAL_CARE_URL: urlFor("social-care"),
    HEALTH_URL: urlFor("health"),
    ALERTS_URL: alerts.url,
    // The protocol watch's events travel on the gateway's own relay, as the agencies' do. The watch itself is off
    // unless a test turns it on (protocol-watch.test.ts): its passes are background traffic that would move the
    // counts other files measure exactly (agency calls, metrics, Leah's alerts).
    ALERTS_EVENTS_URL: `${alertsBase}/events`,
    PROTOCOL_WATCH_MS: "0",
    SUBGRAPH_TIMEOUT_MS: "3000",
    ...options.env,
  });

  // One sign-in per demo user per cluster: its access token lasts an hour, longer than any test file runs.
  const tokens = new Map<string, Promise<string>>();
  function token(userId: string): Promise<string> {
    if (!findDemoUser(userId)) return Promise.reject(new Error(`No demo user "${userId}".`));
    if (!tokens.has(userId)) tokens.set(userId, demoAccessToken(identityProvider.url, userId));
    return tokens.get(userId)!;
  }

  return {
    gatewayUrl: gateway.url,
    issuer: identityProvider.url,
    subgraphUrls: Object.fromEntries([...agencies].map(([name, p]) => [name, p.url])) as Record<AgencyName, string>,
    get metricsUrls() {
      return Object.fromEntries([
        ["gateway", gateway.metricsUrl],
        ...[...agencies].map(([name, p]) => [name, p.metricsUrl]),
      ]) as Record<"gateway" | AgencyName, string | undefined>;
    },
    logs(service) {
      return [...(service === "gateway" ? gateway : service === "alerts" ? alerts : agencies.get(service)!).output];
    },
    dataDir,
    alertsUrl: alertsBase,
    async stopAlerts(signal = "SIGTERM") {
      if (signal === "SIGKILL") {
        const exited = new Promise((resolve) => alerts.child.once("exit", resolve));
        alerts.child.kill("SIGKILL");
        await exited;
      } else await stopProcess(alerts);
    },
    async startAlerts() {
      if (alerts.child.exitCode === null && alerts.child.signalCode === null) return;
      alerts = await startProcess(alerts.entry, { ...alerts.env, ALERTS_PORT: new URL(alerts.url).port });
    },
    async stopAgency(name) {
      await stopProcess(agencies.get(name)!);
    },
    signalAgency(name, signal) {
      agencies.get(name)!.child.kill(signal);
    },
    async restartAgency(name) {
      const previous = agencies.get(name)!;
      await stopProcess(previous);
      const port = new URL(previous.url).port;
      const agency = AGENCIES.find((a) => a.name === name)!;
      agencies.set(name, await startProcess(previous.entry, { ...previous.env, [`${agency.env}_PORT`]: port }));
    },
    token,
    agencyRequests(requestId) {
      // The gateway adds its own suffix to a caller's request id ("<caller's id>.<8 hex>").
      const total = noRequests();
      for (const [id, entry] of counts)
        if (id === requestId || id.startsWith(`${requestId}.`))
          for (const agency of AGENCIES) total[agency.name] += entry[agency.name];
      return total;
    },
    async query(query, variables, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.authorization !== null) {
        headers.authorization = options.authorization ?? `Bearer ${await token(options.as ?? DEFAULT_USER)}`;
      }
      return postGraphql(gateway.url, query, variables, headers);
    },
    async close() {
      await stopProcess(gateway);
      await proxy?.close();
      await Promise.all([...(counters?.values() ?? [])].map((p) => p.close()));
      await Promise.all([...agencies.values(), alerts, identityProvider].map(stopProcess));
      if (databases.length) await dropDatabases(databases);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
