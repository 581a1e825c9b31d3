// Writes gateway/trusted-documents.json from the client operations, after `npm run build`:
//   node scripts/write-trusted-documents.mjs [module exporting CLIENT_OPERATIONS]
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildManifest } from "../dist/trusted-documents.js";

const source = process.argv[2]
  ? pathToFileURL(resolve(process.argv[2]))
  : new URL("../dist/client-operations.js", import.meta.url);
const { CLIENT_OPERATIONS } = await import(source.href);
if (!Array.isArray(CLIENT_OPERATIONS)) {
  throw new Error(`${fileURLToPath(source)} must export CLIENT_OPERATIONS: an array of { name, body }.`);
}

const target = new URL("../trusted-documents.json", import.meta.url);
const manifest = buildManifest(CLIENT_OPERATIONS);
writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`Wrote ${manifest.operations.length} trusted operations to ${fileURLToPath(target)}.`);
