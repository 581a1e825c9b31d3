// npm run trusted-documents   writes gateway/trusted-documents.json: the operations the shipped clients send (the
// control-room operations in gateway/src/client-operations.ts and the portal's action card and alerts page). Start the gateway with
// TRUSTED_DOCUMENTS=gateway/trusted-documents.json and it runs only those.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CLIENT_OPERATIONS } from "@safeguarding/gateway/client-operations";
import { buildManifest } from "@safeguarding/gateway/trusted-documents";
import { PORTAL_OPERATIONS } from "@safeguarding/portal/operations";

const operations = [...CLIENT_OPERATIONS, ...PORTAL_OPERATIONS];
const target = fileURLToPath(new URL("../gateway/trusted-documents.json", import.meta.url));
const manifest = buildManifest(operations);
writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`Wrote ${manifest.operations.length} trusted operations to ${target}.`);
