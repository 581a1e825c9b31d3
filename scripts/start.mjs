// `npm start`: every service as its own process on the embedded store, demo data loaded on first start.
// Ctrl-C stops them all. Ports and URLs come from the environment (see README), with these defaults.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { SERVICE_NODE_ARGS, SERVICES, repoRoot } from "./services.mjs";

const children = [];
let stopping = false;
const PREFIX_WIDTH = Math.max(...SERVICES.map((s) => s.name.length)) + 3;

function portOf(service) {
  return Number(process.env[service.portEnv] ?? service.port);
}

function start(service) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const s of SERVICES) {
      if (s.urlEnv && !env[s.urlEnv]) env[s.urlEnv] = `http://127.0.0.1:${portOf(s)}${s.urlPath ?? "/graphql"}`;
      for (const [name, path] of Object.entries(s.alsoUrlEnv ?? {}))
        if (!env[name]) env[name] = `http://127.0.0.1:${portOf(s)}${path}`;
    }
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, join(repoRoot, service.entry)], {
      env: { ...env, ...service.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push({ service, child });
    let ready = false;
    const prefix = `[${service.name}]`.padEnd(PREFIX_WIDTH);
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        const event = JSON.parse(line);
        if (event.event === "ready" && !ready) {
          ready = true;
          console.log(
            `${prefix} ready at ${event.url}${event.store ? ` (store: ${event.store}, started in ${event.startMs} ms)` : ""}`,
          );
          resolve(event.url);
          return;
        }
      } catch {
        // not a JSON log line: print it as it is
      }
      console.log(`${prefix} ${line}`);
    });
    createInterface({ input: child.stderr }).on("line", (line) => console.error(`${prefix} ${line}`));
    child.on("exit", (code, signal) => {
      if (!ready) reject(new Error(`${service.name} stopped before it was ready (exit ${code ?? signal}).`));
      else if (!stopping) {
        console.error(`${prefix} stopped unexpectedly (exit ${code ?? signal}); stopping everything.`);
        stop(1);
      }
    });
  });
}

async function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping every service...");
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
  process.exit(exitCode);
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

try {
  // The identity provider starts first (the others are given its issuer URL, the one it says it answers at), the
  // gateway last: it reads the provider's discovery document and checks the agencies it will call.
  const identityProvider = SERVICES.find((s) => s.name === "identity-provider");
  const issuer = await start(identityProvider);
  process.env[identityProvider.urlEnv] ||= issuer;
  // One sign-in: the portal signs its users in at the provider whose tokens the gateway accepts.
  process.env.OIDC_ISSUER ||= process.env[identityProvider.urlEnv];
  const urls = Object.fromEntries(
    await Promise.all(
      SERVICES.filter((s) => s !== identityProvider && s.name !== "gateway").map(async (s) => [s.name, await start(s)]),
    ),
  );
  const gatewayUrl = await start(SERVICES.find((s) => s.name === "gateway"));
  const portalUrl = urls.portal;
  console.log(`
Safeguarding Gateway is running. Embedded SQLite files (for any service without a *_DATABASE_URL) are in ${process.env.DATA_DIR ?? join(repoRoot, "data")}.

  GraphQL gateway:   ${gatewayUrl}
  API explorer:      ${new URL("/explorer", gatewayUrl)}  (development only; sign in there as a demo user)
  Sign-in (OpenID):  ${issuer}  (development identity provider: demo users only)
  Training portal:   ${portalUrl}
  Action card:       ${portalUrl}/action-card/9990000018
  Your alerts:       ${portalUrl}/alerts/  (sign in as social-worker; README, "Alerts")
  Alerts service:    ${urls.alerts}

Every request except a glossary look-up needs a bearer token and a stated purpose. Demo users, at least one per
role: npm run token -- --list (tokens come from the identity provider). Try, as the control room (the demo child
mirrors the case review; everyone is invented):

  TOKEN=$(npm run -s token -- --user control-room)
  curl -s ${gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d '{"query":"{ child(id: \\"999 000 0018\\", purpose: { code: MISSING_EPISODE, reference: \\"INC-2026-004512\\" }) { givenName familyName ageYears knownTo socialCare { legalStatus { code whoDecidesWhereChildLives } onCallManager { person { name phone } } } police { missingEpisodes { reportedAt status riskLevel returnedTo } } health { mentalHealthAssessments { requestedAt status outcomeSummary } } } }"}'

Press Ctrl-C to stop every service.`);
} catch (error) {
  console.error(error.message);
  await stop(1);
}
