import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, test } from "vitest";
import { AGENCIES } from "@safeguarding/shared/agencies";
import { SERVICE_NODE_ARGS, SERVICES, type ServiceDefinition } from "../../scripts/services.mjs";
import { ENV_VARIABLES, SECRET_FILES } from "../../deploy/make-secrets.mjs";
import {
  composeVariables,
  environmentReadBy,
  interpolate,
  loadCompose,
  loadDockerfile,
  nginxUpstreamServers,
  repoRoot,
  resolveTarget,
  serviceTargets,
  type DockerTarget,
} from "./definitions.mjs";

/**
 * No container engine runs where these files are written, so the images and the compose file are checked here
 * against what the processes do: the entry points and flags of scripts/services.mjs, the settings the code reads,
 * the secrets npm run deploy:secrets makes. `npm run test:deploy` then runs the topology itself.
 */

const dockerfile = loadDockerfile();
const compose = loadCompose();
const composeText = readFileSync(join(repoRoot, "deploy", "compose.yaml"), "utf8");
const nginxConf = readFileSync(join(repoRoot, "deploy", "nginx.conf"), "utf8");
const initScript = readFileSync(join(repoRoot, "deploy", "postgres", "init-databases.sh"), "utf8");
const rootManifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  workspaces: string[];
  devDependencies: Record<string, string>;
};

// The flags every service runs with, less any a developer added for one run (SERVICE_NODE_EXTRA_ARGS).
const extraArgs = process.env.SERVICE_NODE_EXTRA_ARGS?.split(" ").filter(Boolean) ?? [];
const NODE_ARGS = SERVICE_NODE_ARGS.slice(0, SERVICE_NODE_ARGS.length - extraArgs.length);

const TARGETS: ServiceDefinition[] = SERVICES;
/** The development identity provider refuses to run in production; every other service runs only that way. */
const DEVELOPMENT_ONLY = "identity-provider";
const PACKAGE_DIR: Record<string, string> = {
  ...Object.fromEntries(AGENCIES.map((a) => [a.name, `subgraphs/${a.name}`])),
  alerts: "subgraphs/alerts",
  gateway: "gateway",
  portal: "portal",
  "identity-provider": "gateway/identity-provider",
};
/** The services the compose file runs from published images, not from the Dockerfile. */
const PUBLISHED_IMAGES: Record<string, string> = {
  postgres: "postgres:15-bookworm",
  redis: "redis:7.0-bookworm",
  nats: "nats:2.9-alpine",
  nginx: "nginx:1.22",
};

const target = (name: string): DockerTarget => {
  const resolved = resolveTarget(dockerfile, name);
  if (!resolved) throw new Error(`The Dockerfile has no stage "${name}".`);
  return resolved;
};
const runtime = target("runtime");

type ComposeService = {
  image?: string;
  command?: string[];
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
};
const services = compose.services as Record<string, ComposeService>;
const built = Object.entries(services).filter(([, s]) => s.build?.target) as [
  string,
  ComposeService & { build: { context: string; target: string } },
][];

describe("Dockerfile", () => {
  it("runs the Node version every script and test runs on", () => {
    expect(dockerfile.args.NODE_VERSION).toBe(rootManifest.devDependencies.node);
    expect(dockerfile.stages[0].from).toBe(`node:${rootManifest.devDependencies.node}-bookworm-slim`);
  });

  it("has one target per service and no other", () => {
    expect(serviceTargets(dockerfile).sort()).toEqual(TARGETS.map((s) => s.name).sort());
  });

  test.for(TARGETS)("target $name runs $entry as npm start does, on its port, probed at /health", (service) => {
    const image = target(service.name);
    expect(image.cmd).toEqual(["node", ...NODE_ARGS, service.entry]);
    expect(image.env[service.portEnv]).toBe(String(service.port));
    expect(image.expose).toEqual([service.port]);
    expect(image.healthcheck?.command).toContain(`http://127.0.0.1:\${${service.portEnv}}/health`);
    // The entry point is inside a folder the image copies from the build.
    const copied = image.copies.filter((c) => c.from === "build").map((c) => c.dest.replace(/\/$/, ""));
    expect(copied.some((dest) => service.entry.startsWith(`${dest}/`))).toBe(true);
  });

  it("installs from every workspace's manifest but the tests', production dependencies only", () => {
    const manifests = runtime.copies
      .filter((c) => c.stage === "manifests")
      .flatMap((c) => c.sources)
      .filter((source) => source.endsWith("/package.json"))
      .map((source) => source.replace(/\/package\.json$/, ""));
    const workspaces = rootManifest.workspaces.filter(
      (dir) => dir !== "test" && existsSync(join(repoRoot, dir, "package.json")),
    );
    expect(manifests.sort()).toEqual(workspaces.sort());
    expect(runtime.copies.some((c) => c.sources.includes("package-lock.json"))).toBe(true);
    const installs = runtime.runs.filter((r) => /\bnpm ci\b/.test(r.command));
    expect(installs).toHaveLength(1);
    expect(installs[0].command).toMatch(/\bnpm ci --omit=dev\b/);
    expect(target("build").runs.map((r) => r.command)).toEqual(["npm ci", "npm run build"]);
  });

  it("runs as an unprivileged user, in production mode (the development identity provider excepted)", () => {
    expect(runtime.user).toBeDefined();
    expect(["root", "0"]).not.toContain(runtime.user);
    expect(runtime.env.NODE_ENV).toBe("production");
    for (const { name } of TARGETS)
      expect(target(name).env.NODE_ENV, name).toBe(name === DEVELOPMENT_ONLY ? "development" : "production");
  });

  it("copies only what the repository holds or a build produces", () => {
    for (const name of TARGETS.map((s) => s.name)) {
      for (const copy of target(name).copies) {
        for (const source of copy.sources) {
          const path = copy.from === "build" ? source.replace(/^\/app\//, "") : source;
          expect(existsSync(join(repoRoot, path)), `${name}: COPY ${source}`).toBe(true);
        }
      }
    }
  });

  it("keeps installed modules, builds and secrets out of the build context", () => {
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n");
    for (const path of ["**/node_modules", "**/dist", "deploy/secrets", "deploy/.env", ".git", "data"])
      expect(ignored).toContain(path);
  });
});

describe("deploy/compose.yaml", () => {
  it("builds every target from the repository root, the gateway twice, both replicas behind nginx", () => {
    expect(built.every(([, s]) => s.build.context === "..")).toBe(true);
    expect([...new Set(built.map(([, s]) => s.build.target))].sort()).toEqual(serviceTargets(dockerfile).sort());
    const replicas = built.filter(([, s]) => s.build.target === "gateway").map(([name]) => name);
    expect(replicas).toHaveLength(2);
    const gatewayPort = SERVICES.find((s) => s.name === "gateway")!.port;
    expect(nginxUpstreamServers(nginxConf)).toEqual(replicas.map((name) => `${name}:${gatewayPort}`));
  });

  test.for(built.map(([name, s]) => ({ name, target: s.build.target })))(
    "$name sets only environment variables its code reads",
    ({ name, target: targetName }) => {
      const agency = AGENCIES.find((a) => a.name === targetName);
      const prefixes = agency ? [agency.envPrefix] : targetName === "gateway" ? AGENCIES.map((a) => a.envPrefix) : [];
      const code = environmentReadBy(PACKAGE_DIR[targetName], prefixes);
      if (!code) throw new Error(`${PACKAGE_DIR[targetName]} has no package.json.`);
      // The image's own settings count too, except npm's (read by npm while the image is built).
      const imageEnv = Object.keys(target(targetName).env).filter((key) => !key.startsWith("NPM_CONFIG_"));
      const set = [...imageEnv, ...Object.keys(services[name].environment ?? {})];
      expect(set.filter((key) => !code.reads(key))).toEqual([]);
    },
  );

  it("mounts every key file a *_FILE setting names, from a file npm run deploy:secrets writes", () => {
    const declared = compose.secrets as Record<string, { file: string }>;
    for (const secret of Object.values(declared)) expect(SECRET_FILES).toContain(secret.file.replace("./secrets/", ""));
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!key.endsWith("_FILE")) continue;
        const match = /^\/run\/secrets\/(\w+)$/.exec(value);
        expect(match, `${name} ${key}`).not.toBeNull();
        expect(service.secrets, `${name} ${key}`).toContain(match![1]);
        expect(declared[match![1]], `${name} ${key}`).toBeDefined();
      }
    }
  });

  it("mounts only files npm run deploy:secrets writes, read-only", () => {
    const mounts = Object.entries(services).flatMap(([name, service]) =>
      (service.volumes ?? [])
        .filter((volume) => volume.startsWith("./secrets/"))
        .map((volume) => ({ name, volume, parts: volume.split(":") })),
    );
    expect(mounts.length).toBeGreaterThan(0);
    for (const { name, volume, parts } of mounts) {
      expect(SECRET_FILES, `${name}: ${volume}`).toContain(parts[0].replace("./secrets/", ""));
      expect(parts[2], `${name}: ${volume}`).toBe("ro");
    }
  });

  it("runs the services it does not build from published images pinned to a version", () => {
    const published = Object.entries(services).filter(([, s]) => !s.build);
    expect(Object.fromEntries(published.map(([name, s]) => [name, s.image]))).toEqual(PUBLISHED_IMAGES);
  });

  it("runs NATS with JetStream on a named volume, healthy once JetStream is on, for the agencies and alerts", () => {
    const command = services.nats.command ?? [];
    const flag = (name: string) => command[command.indexOf(name) + 1];
    expect(command).toContain("-js");
    const volume = services.nats.volumes?.find((v) => v.split(":")[1] === flag("-sd"));
    expect(volume && Object.keys(compose.volumes ?? {})).toContain(volume?.split(":")[0]);
    expect(services.nats.healthcheck?.test.join(" ")).toContain(
      `http://127.0.0.1:${flag("-m")}/healthz?js-enabled-only=true`,
    );
    for (const name of [...AGENCIES.map((a) => a.name), "alerts"]) {
      expect(services[name].environment?.NATS_URL, name).toBe("nats://nats:4222");
      expect(services[name].depends_on?.nats, name).toEqual({ condition: "service_healthy" });
    }
  });

  it("gives every service that uses the broker a user of its own, declared in deploy/nats.conf with its password", () => {
    const conf = readFileSync(join(repoRoot, "deploy", "nats.conf"), "utf8");
    const mounted = services.nats.volumes?.find((v) => v.split(":")[1] === "/etc/nats/nats.conf");
    expect(mounted?.split(":")[0]).toBe("./nats.conf");
    expect(services.nats.command).toEqual(expect.arrayContaining(["-c", "/etc/nats/nats.conf"]));
    const users = built.filter(([, s]) => s.environment?.NATS_URL);
    expect(new Set(users.map(([, s]) => s.build.target))).toEqual(
      new Set([...AGENCIES.map((a) => a.name), "alerts", "gateway"]),
    );
    for (const [name, s] of users) {
      const user = s.environment!.NATS_USER;
      expect(user, name).toBe(s.build.target);
      const variable = `NATS_${user.toUpperCase().replace("-", "_")}_PASSWORD`;
      expect(s.environment!.NATS_PASSWORD, name).toBe(`\${${variable}:?run npm run deploy:secrets}`);
      expect(services.nats.environment?.[variable], name).toBe(`\${${variable}:?run npm run deploy:secrets}`);
      expect(conf, name).toMatch(new RegExp(`user: ${user}\\s+password: \\$${variable}\\s`));
    }
  });

  it("gives each service the gateway calls only the assertion key derived for its own audience", () => {
    const declared = compose.secrets as Record<string, { file: string }>;
    const holders = built.filter(([, s]) => s.environment?.GATEWAY_ASSERTION_KEY_FILE);
    expect(holders.map(([, s]) => s.build.target).sort()).toEqual([...AGENCIES.map((a) => a.name), "alerts"].sort());
    for (const [name, s] of holders) {
      const secret = s.environment!.GATEWAY_ASSERTION_KEY_FILE.replace("/run/secrets/", "");
      expect(declared[secret]?.file, name).toBe(`./secrets/gateway-assertion.${s.build.target}.jwk.json`);
      expect(
        s.secrets?.filter((x) => x.startsWith("gateway_assertion")),
        name,
      ).toEqual([secret]);
    }
  });

  it("requires exactly the settings npm run deploy:secrets writes into deploy/.env", () => {
    const required = [...composeVariables(composeText)].filter(([, isRequired]) => isRequired).map(([name]) => name);
    expect(required.sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it("gives every agency, the alerts service, the gateway and the portal a database and role of its own, as the init script makes", () => {
    const owners = [...AGENCIES.map((a) => a.name), "alerts", "gateway", "portal"].map((name) =>
      name.replace("-", "_"),
    );
    const variables = Object.fromEntries(ENV_VARIABLES.map((name) => [name, "secret"]));
    const urls = built.flatMap(([, s]) =>
      Object.entries(s.environment ?? {})
        .filter(([key]) => key.endsWith("_DATABASE_URL"))
        .map(([, value]) => new URL(interpolate(value, variables))),
    );
    // Both gateway replicas share one audit trail, so one database; every other service has its own.
    const databases = [...new Map(urls.map((url) => [url.pathname.slice(1), url.username])).entries()];
    expect(databases.map(([database]) => database).sort()).toEqual([...owners].sort());
    for (const [database, role] of databases) expect(role).toBe(database);
    const listed = /^services=\(([^)]*)\)/m.exec(initScript)?.[1].split(/\s+/).filter(Boolean);
    expect(listed?.sort()).toEqual([...owners].sort());
    const postgresEnv = Object.keys(services.postgres.environment ?? {});
    for (const owner of owners) expect(postgresEnv).toContain(`${owner.toUpperCase()}_DB_PASSWORD`);
  });

  it("points the gateways at each agency's service and port and at the alerts service, and the portal at nginx", () => {
    const alerts = SERVICES.find((s) => s.name === "alerts")!;
    for (const [, service] of built.filter(([, s]) => s.build.target === "gateway")) {
      for (const agency of AGENCIES) {
        const port = SERVICES.find((s) => s.name === agency.name)!.port;
        expect(service.environment?.[`${agency.envPrefix}_URL`]).toBe(`http://${agency.name}:${port}/graphql`);
      }
      expect(service.environment?.[alerts.urlEnv!]).toBe(`http://alerts:${alerts.port}/graphql`);
      // A child's record must stay readable when alerts are down: the gateways do not wait for it.
      expect(Object.keys(service.depends_on ?? {})).not.toContain("alerts");
    }
    expect(services.portal.environment?.GATEWAY_URL).toBe("http://nginx:8080/graphql");
    expect(nginxConf).toMatch(/^\s*listen 8080;/m);
  });

  it("starts nothing before what it depends on is healthy, and probes each service on its own port", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} → ${dependency}`).toBe("service_healthy");
        const dependencyTarget = services[dependency].build?.target;
        const probed = services[dependency].healthcheck ?? (dependencyTarget && target(dependencyTarget).healthcheck);
        expect(probed, `${dependency} has no health check`).toBeTruthy();
      }
    }
    for (const [name, service] of built) {
      const portEnv = TARGETS.find((s) => s.name === service.build.target)!.portEnv;
      const probe = service.healthcheck ? interpolate(service.healthcheck.test.join(" "), {}) : null;
      if (probe) expect(probe, name).toMatch(new RegExp(`http://127\\.0\\.0\\.1:\\$\\{${portEnv}\\}/(ready|health)$`));
    }
  });
});
