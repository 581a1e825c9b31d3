// npm run bench -w @safeguarding/shared   prints what identity and audit cost per agency request, in-process:
// an audit entry committed alone and in a group commit, and the gateway assertion signed and verified.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { agencyAssertionKey, createAssertionSigner, createAssertionVerifier } from "../dist/assertion.js";
import { appendAudit, auditMigration, createAuditWriter } from "../dist/audit.js";
import { sqliteSynchronous } from "../dist/config.js";
import { loadOrCreateSecret } from "../dist/keys.js";
import { openStore } from "../dist/store.js";

async function time(label, runs, fn, perRun = 1) {
  for (let i = 0; i < Math.min(50, runs); i++) await fn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await fn();
  const micros = Number(process.hrtime.bigint() - started) / 1000 / (runs * perRun);
  console.log(`${label.padEnd(52)} ${micros.toFixed(1).padStart(8)} µs`);
}

const dir = mkdtempSync(join(tmpdir(), "kit-bench-"));
const store = await openStore({ name: "bench", sqlitePath: join(dir, "audit.db"), migrations: { a: auditMigration } });
const entry = {
  requestId: "bench",
  service: "police",
  action: "READ",
  operation: "_entities",
  userId: "demo:control-room",
  userName: "Priya Natt",
  role: "CONTROL_ROOM",
  organisation: "Avonvale Police, Force Control Room",
  purposeCode: "MISSING_EPISODE",
  purposeReference: "INC-2026-004512",
  agreement: null,
  childIds: ["9990000018"],
  fieldsReturned: Array.from({ length: 20 }, (_, i) => `MissingEpisode.field${i}`),
  fieldsDenied: ["CseConcern.summary"],
  outcome: "PARTIAL",
};
console.log(`Node ${process.version}, SQLite (WAL, synchronous=${sqliteSynchronous()}) in ${tmpdir()}\n`);
await time("audit entry, committed alone", 300, () => appendAudit(store.db, entry));
const writer = createAuditWriter(store.db);
for (const concurrent of [5, 20, 50])
  await time(
    `audit entry, group commit of ${concurrent} concurrent requests`,
    40,
    () => Promise.all(Array.from({ length: concurrent }, () => writer.append(entry))),
    concurrent,
  );
const secret = await loadOrCreateSecret(dir, "bench-assertion");
const signer = await createAssertionSigner(secret.jwk);
const verifier = await createAssertionVerifier(agencyAssertionKey(secret.jwk, "police"), "police");
const grant = {
  identity: { userId: "demo:edt", name: "Chris Doyle", role: "EDT", organisation: "EDT", email: null },
  purpose: { code: "EMERGENCY", reference: "INC-1", agreement: null },
  requestId: "bench",
  facts: { 9990000018: { missingOrRecentlyFound: true, allocatedSocialWorker: false } },
  via: null,
};
const token = await signer.sign(grant, "police");
await time("gateway assertion: MAC (HMAC-SHA256, the agency's key)", 3000, () => signer.sign(grant, "police"));
await time("gateway assertion: check", 3000, () => verifier.verify(token));
// For comparison: what an Ed25519 signature over the same bytes costs, the scheme the assertion used before.
const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const [header, payload] = token.split(".");
const signed = Buffer.from(`${header}.${payload}`);
const signature = sign(null, signed, privateKey);
await time("for comparison: Ed25519 sign over the same token", 3000, () => sign(null, signed, privateKey));
await time("for comparison: Ed25519 verify", 3000, () => verify(null, signed, publicKey, signature));
await store.close();
rmSync(dir, { recursive: true, force: true });
