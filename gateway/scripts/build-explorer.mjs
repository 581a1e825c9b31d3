// Bundles the API explorer (gateway/explorer) into dist/explorer-app (dist/explorer holds the server's own modules): GraphiQL, React and Monaco from node_modules, the
// CSS with its fonts as files, and Monaco's workers, so the page loads nothing from outside the gateway (police
// networks have no internet). Every asset is named by a hash of its content, so the gateway can let browsers keep
// them; manifest.json lists them for the gateway, which serves no other file.
import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { extname, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const gatewayDir = fileURLToPath(new URL("..", import.meta.url));
const outDir = fileURLToPath(new URL("../dist/explorer-app/", import.meta.url));
const PUBLIC_PATH = "/explorer/assets/";
const started = Date.now();

const shared = {
  absWorkingDir: gatewayDir,
  bundle: true,
  minify: true,
  target: "es2022",
  write: false,
  outdir: "out",
  // Licence texts go to one file beside the assets instead of into every script.
  legalComments: "external",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

/** name → content: every file the page may load. */
const assets = new Map();
const licences = [];

function hashed(name, content) {
  const hash = createHash("sha256").update(content).digest("base64url").slice(0, 12).replace(/[-_]/g, "x");
  const ext = extname(name);
  const named = `${basename(name, ext)}-${hash}${ext}`;
  assets.set(named, content);
  return named;
}

function collect(outputs) {
  const byExt = {};
  for (const file of outputs) {
    if (file.path.endsWith(".LEGAL.txt")) licences.push(file.text);
    else byExt[extname(file.path)] = file;
  }
  return byExt;
}

// Monaco's workers, each a classic script of its own (GraphiQL's set-ups would load them from esm.sh).
const WORKERS = {
  editor: "monaco-editor/esm/vs/editor/editor.worker.js",
  json: "monaco-editor/esm/vs/language/json/json.worker.js",
  graphql: "monaco-graphql/esm/graphql.worker.js",
};
const workerUrls = {};
for (const [label, entry] of Object.entries(WORKERS)) {
  const result = await build({ ...shared, entryPoints: [entry], format: "iife" });
  workerUrls[label] =
    PUBLIC_PATH + hashed(`${label}.worker.js`, Buffer.from(collect(result.outputFiles)[".js"].contents));
}

const page = await build({
  ...shared,
  entryPoints: ["explorer/src/main.tsx"],
  format: "esm",
  jsx: "automatic",
  define: { ...shared.define, EXPLORER_WORKERS: JSON.stringify(workerUrls) },
  loader: { ".ttf": "file", ".woff": "file", ".woff2": "file" },
  assetNames: "[name]-[hash]",
  publicPath: PUBLIC_PATH,
});
const outputs = collect(page.outputFiles);
for (const file of page.outputFiles)
  if (![".js", ".css"].includes(extname(file.path)) && !file.path.endsWith(".LEGAL.txt"))
    assets.set(basename(file.path), Buffer.from(file.contents));

// GraphiQL's stylesheet carries Monaco's icon font as a data: URL; as a file it loads under font-src 'self'.
const css = outputs[".css"].text.replace(
  /url\((["']?)data:font\/(ttf|woff2?);base64,([A-Za-z0-9+/=]+)\1\)/g,
  (_match, _quote, type, data) => `url(${PUBLIC_PATH}${hashed(`font.${type}`, Buffer.from(data, "base64"))})`,
);
const cssName = hashed("explorer.css", Buffer.from(css));
const jsName = hashed("explorer.js", Buffer.from(outputs[".js"].contents));
assets.set("LICENSES.txt", Buffer.from([...new Set(licences)].join("\n")));
// An icon of its own, or the browser asks the gateway for /favicon.ico.
const iconName = hashed(
  "icon.svg",
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#d4351c"/><path d="M4 11V5h3a2 2 0 0 1 0 4H4m4 0 3 2" stroke="#fff" stroke-width="1.5" fill="none"/></svg>',
  ),
);

const html = `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API explorer (development) – Safeguarding Gateway</title>
<link rel="icon" href="${PUBLIC_PATH}${iconName}" type="image/svg+xml">
<link rel="stylesheet" href="${PUBLIC_PATH}${cssName}">
<script type="module" src="${PUBLIC_PATH}${jsName}"></script>
</head>
<body>
<div id="explorer"><p>Loading the API explorer…</p><noscript>The API explorer needs JavaScript.</noscript></div>
</body>
</html>
`;

await rm(outDir, { recursive: true, force: true });
await mkdir(`${outDir}assets`, { recursive: true });
const manifest = { html, assets: {} };
let total = 0;
let totalGzip = 0;
for (const [name, content] of assets) {
  await writeFile(`${outDir}assets/${name}`, content);
  total += content.length;
  // Text compresses to about a quarter; fonts are compressed already.
  const gzip = /\.(js|css|txt|svg)$/.test(name) && content.length > 1024;
  if (gzip) {
    const zipped = gzipSync(content, { level: 9 });
    await writeFile(`${outDir}assets/${name}.gz`, zipped);
    totalGzip += zipped.length;
  } else totalGzip += content.length;
  manifest.assets[name] = { gzip };
}
await writeFile(`${outDir}manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
const kB = (bytes) => `${Math.round(bytes / 1024)} kB`;
console.log(
  `API explorer: ${assets.size} files, ${kB(total)} (${kB(totalGzip)} gzipped) in dist/explorer-app, ${Date.now() - started} ms`,
);
