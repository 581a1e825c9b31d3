// The processes `npm start` runs, in start order. Shared by the start script and the cross-service tests.
import { fileURLToPath } from "node:url";
import { AGENCIES } from "@safeguarding/shared/agencies";

const root = fileURLToPath(new URL("..", import.meta.url));

export const SERVICES = [
  // The identity provider first: the gateway reads its discovery document when it starts, and the portal and the
  // gateway's users sign in there. Its URL is the issuer the others are given (AUTH_ISSUER, with no path).
  {
    name: "identity-provider",
    entry: "gateway/identity-provider/dist/main.js",
    portEnv: "IDP_PORT",
    port: 4400,
    urlEnv: "AUTH_ISSUER",
    urlPath: "",
  },
  // The alerts service: the agencies' relays post their events to its /events (ALERTS_EVENTS_URL) when there is no
  // NATS_URL, and keep them in their outboxes until it answers; the gateway reaches its GraphQL at ALERTS_URL.
  {
    name: "alerts",
    entry: "subgraphs/alerts/dist/main.js",
    portEnv: "ALERTS_PORT",
    port: 4004,
    urlEnv: "ALERTS_URL",
    alsoUrlEnv: { ALERTS_EVENTS_URL: "/events" },
  },
  // Every agency in the shared table, from its own folder under subgraphs/.
  ...AGENCIES.map((a) => ({
    name: a.name,
    entry: `subgraphs/${a.name}/dist/main.js`,
    portEnv: `${a.envPrefix}_PORT`,
    port: a.defaultPort,
    urlEnv: `${a.envPrefix}_URL`,
  })),
  { name: "portal", entry: "portal/server-dist/main.js", portEnv: "PORTAL_PORT", port: 4321 },
  // The portal's action card asks the gateway, so the portal is given GATEWAY_URL too.
  { name: "gateway", entry: "gateway/dist/main.js", portEnv: "GATEWAY_PORT", port: 4000, urlEnv: "GATEWAY_URL" },
];

export const repoRoot = root;

/**
 * Node flags every service runs with. A smaller young generation keeps an idle subgraph near 120 MB instead of
 * 140 MB; `npm run bench` measured no throughput cost.
 */
export const SERVICE_NODE_ARGS = [
  "--max-semi-space-size=8",
  // For profiling a run, e.g. SERVICE_NODE_EXTRA_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench.
  ...(process.env.SERVICE_NODE_EXTRA_ARGS?.split(" ").filter(Boolean) ?? []),
];
