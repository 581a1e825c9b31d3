// Reads the deployment's definitions (the Dockerfile, deploy/compose.yaml, deploy/nginx.conf) the way a container
// engine would, for the container test and for `npm run test:deploy`, which starts the same topology as processes.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const dockerfilePath = join(repoRoot, "Dockerfile");
export const composePath = join(repoRoot, "deploy", "compose.yaml");
export const nginxConfPath = join(repoRoot, "deploy", "nginx.conf");

/** Splits on whitespace, keeping double-quoted runs together (quotes removed), as ENV and ARG values are written. */
function words(text) {
  return [...text.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ""));
}

/**
 * The stages of a Dockerfile, each with its instructions in order: `{ name, from, instructions: [{ keyword, flags,
 * args }] }`. Continuation lines are joined, comments dropped, and `${ARG}` in FROM lines replaced by the default.
 */
export function parseDockerfile(text) {
  const lines = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    lines.push(`${pending}${line}`.trim());
    pending = "";
  }
  const args = {};
  const stages = [];
  for (const line of lines) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line);
    const upper = keyword.toUpperCase();
    let body = rest;
    const flags = {};
    while (/^--[\w-]+(=\S*)?\s/.test(`${body} `) && !["RUN", "CMD"].includes(upper)) {
      const [, flag, value] = /^--([\w-]+)(?:=(\S*))?\s*/.exec(body);
      flags[flag] = value ?? true;
      body = body.replace(/^--[\w-]+(=\S*)?\s*/, "");
    }
    if (upper === "ARG" && stages.length === 0) {
      const [name, value] = body.split("=");
      args[name] = value;
      continue;
    }
    if (upper === "FROM") {
      const [image, , name] = words(body.replace(/\$\{(\w+)\}/g, (_, arg) => args[arg] ?? ""));
      stages.push({ name: name ?? `stage-${stages.length}`, from: image, instructions: [] });
      continue;
    }
    stages.at(-1).instructions.push({ keyword: upper, flags, args: body });
  }
  return { args, stages };
}

/**
 * A target as it runs: the chain of stages from the base image up to `name`, with the ENV, CMD, EXPOSE, USER,
 * HEALTHCHECK and COPY instructions that apply to it (later stages win, as in an image).
 */
export function resolveTarget(dockerfile, name) {
  const byName = new Map(dockerfile.stages.map((stage) => [stage.name, stage]));
  const chain = [];
  for (let stage = byName.get(name); stage; stage = byName.get(stage.from)) chain.unshift(stage);
  if (chain.length === 0) return undefined;
  const target = { name, chain: chain.map((s) => s.name), env: {}, expose: [], copies: [], runs: [] };
  for (const stage of chain) {
    for (const { keyword, flags, args } of stage.instructions) {
      if (keyword === "ENV") {
        for (const word of words(args)) {
          const [key, ...value] = word.split("=");
          target.env[key] = value.join("=");
        }
      } else if (keyword === "CMD") target.cmd = JSON.parse(args);
      else if (keyword === "EXPOSE") target.expose.push(...words(args).map((port) => Number(port.split("/")[0])));
      else if (keyword === "USER") target.user = args.trim();
      else if (keyword === "WORKDIR") target.workdir = args.trim();
      else if (keyword === "HEALTHCHECK") target.healthcheck = { flags, command: args.replace(/^CMD\s+/, "") };
      else if (keyword === "RUN") target.runs.push({ stage: stage.name, command: args });
      else if (keyword === "COPY") {
        const parts = words(args);
        target.copies.push({ stage: stage.name, from: flags.from, sources: parts.slice(0, -1), dest: parts.at(-1) });
      }
    }
  }
  return target;
}

export function loadDockerfile() {
  return parseDockerfile(readFileSync(dockerfilePath, "utf8"));
}

/** The stages that are service images: those built on the runtime stage. */
export function serviceTargets(dockerfile) {
  return dockerfile.stages.filter((stage) => stage.from === "runtime").map((stage) => stage.name);
}

/** deploy/compose.yaml as compose reads it (YAML merge keys expanded), before `${…}` substitution. */
export function loadCompose() {
  return parseYaml(readFileSync(composePath, "utf8"), { merge: true });
}

/**
 * Compose's variable substitution: `${NAME}`, `${NAME:-default}`, `${NAME:?message}` (an error when unset or
 * empty), and `$$` for a literal dollar.
 */
export function interpolate(value, variables) {
  return String(value).replace(/\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}/g, (match, name, op, word) => {
    if (match === "$$") return "$";
    const set = variables[name] !== undefined && variables[name] !== "";
    if (set) return variables[name];
    if (op === "?") throw new Error(`${name} is not set: ${word}`);
    return op === "-" ? word : "";
  });
}

/** Every `${NAME…}` a compose file substitutes, with whether it is required (`:?`). */
export function composeVariables(text) {
  const found = new Map();
  for (const [, name, op] of text.matchAll(/(?<!\$)\$\{(\w+)(?::([-?])[^}]*)?\}/g))
    found.set(name, found.get(name) || op === "?");
  return found;
}

/** The gateway replicas' addresses in nginx's upstream block, e.g. ["gateway-1:4000", "gateway-2:4000"]. */
export function nginxUpstreamServers(text) {
  const block = /upstream\s+sg_gateway\s*\{([^}]*)\}/.exec(text);
  if (!block) return [];
  return [...block[1].matchAll(/^\s*server\s+(\S+?)[\s;]/gm)].map((m) => m[1]);
}

// --- Which environment variables a service reads, from its sources and its workspace dependencies' ---

function workspacePackages() {
  const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  const packages = new Map();
  for (const dir of root.workspaces) {
    const file = join(repoRoot, dir, "package.json");
    if (!existsSync(file)) continue;
    packages.set(JSON.parse(readFileSync(file, "utf8")).name, {
      dir,
      manifest: JSON.parse(readFileSync(file, "utf8")),
    });
  }
  return packages;
}

/** The portal's run-time code is its server; its src/ is the Astro site, which only runs at build time. */
const RUNTIME_SOURCE_DIRS = { portal: ["server"] };

function sourceFiles(dir) {
  const out = [];
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|mts|mjs|js)$/.test(entry.name) && !/\.test\.\w+$/.test(entry.name)) out.push(full);
    }
  };
  const base = join(repoRoot, dir);
  for (const sub of RUNTIME_SOURCE_DIRS[dir] ?? ["src"]) if (existsSync(join(base, sub))) walk(join(base, sub));
  return out;
}

const stripComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");

/**
 * What a service built from the workspace folder `dir` can read from its environment: every upper-case name in the
 * code (comments left out) of that package and the workspace packages it depends on, and every name a template
 * literal builds, such as `${definition.envPrefix}_DATABASE_URL`. `agencyPrefixes` are the prefixes such an
 * `envPrefix` may stand for in this service (its own agency's for an agency subgraph, any agency's otherwise).
 * Returns null when the folder does not exist (a service still being written).
 */
export function environmentReadBy(dir, agencyPrefixes) {
  if (!existsSync(join(repoRoot, dir, "package.json"))) return null;
  const packages = workspacePackages();
  const dirs = new Set();
  const visit = (packageDir) => {
    if (dirs.has(packageDir)) return;
    dirs.add(packageDir);
    const manifest = JSON.parse(readFileSync(join(repoRoot, packageDir, "package.json"), "utf8"));
    for (const dependency of Object.keys(manifest.dependencies ?? {}))
      if (packages.has(dependency)) visit(packages.get(dependency).dir);
  };
  visit(dir);
  const names = new Set();
  const patterns = [];
  for (const packageDir of dirs) {
    for (const file of sourceFiles(packageDir)) {
      const code = stripComments(readFileSync(file, "utf8"));
      for (const [name] of code.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)) names.add(name);
      // Single-word names (HOST) only where they are plainly read from an environment object.
      for (const [, name] of code.matchAll(/\benv(?:\.|\[["'`])([A-Z][A-Z0-9_]*)/g)) names.add(name);
      for (const [template] of code.matchAll(/`([^`]*\$\{[^`]*)`/g)) {
        if (!/[A-Z]_|_[A-Z]/.test(template)) continue;
        const source = template
          .slice(1, -1)
          .split(/(\$\{[^}]*\})/)
          .map((part) => {
            if (!part.startsWith("${")) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
            if (/envPrefix\}$/.test(part)) return `(?:${agencyPrefixes.join("|")})`;
            return "[A-Z0-9_]+";
          })
          .join("");
        if (/[A-Z]/.test(source.replace(/\[A-Z0-9_\]|\(\?:[^)]*\)/g, ""))) patterns.push(new RegExp(`^${source}$`));
      }
    }
  }
  return { dirs: [...dirs], reads: (name) => names.has(name) || patterns.some((pattern) => pattern.test(name)) };
}
