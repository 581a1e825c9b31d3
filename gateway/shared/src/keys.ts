import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { agencyAssertionKey } from "./assertion.js";

export interface KeyPairFiles {
  privateJwk: JWK;
  publicJwk: JWK;
  privatePath: string;
  publicPath: string;
  /** True when this call created the pair. */
  created: boolean;
}

/**
 * A local Ed25519 key pair under `<dataDir>/keys/`, created on first use: for development and the demo only
 * (production is configured with keys from a secret store). Several processes may start at once, so the files
 * are written to a temporary name and hard-linked into place; whoever loses the race reads the winner's pair.
 */
export async function loadOrCreateKeyPair(dataDir: string, name: string): Promise<KeyPairFiles> {
  const dir = join(dataDir, "keys");
  const privatePath = join(dir, `${name}.private.jwk.json`);
  const publicPath = join(dir, `${name}.public.jwk.json`);
  let created = false;
  if (!existsSync(privatePath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const kid = `${name}-${randomUUID().slice(0, 8)}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "EdDSA", use: "sig" };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
    const temp = join(dir, `.${name}.${process.pid}.${randomUUID()}`);
    // The public half first: a reader that sees the private file can rely on the public one being there.
    writeFileSync(`${temp}.public`, JSON.stringify(publicJwk, null, 2), { mode: 0o644 });
    writeFileSync(`${temp}.private`, JSON.stringify(privateJwk, null, 2), { mode: 0o600 });
    try {
      linkSync(`${temp}.public`, publicPath);
      linkSync(`${temp}.private`, privatePath);
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(`${temp}.public`, { force: true });
      rmSync(`${temp}.private`, { force: true });
    }
  }
  return {
    privateJwk: readJwk(privatePath),
    publicJwk: readJwk(publicPath),
    privatePath,
    publicPath,
    created,
  };
}

export function readJwk(path: string): JWK {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read the key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!parsed || typeof parsed !== "object" || typeof (parsed as JWK).kty !== "string") {
    throw new Error(`The key file ${path} is not a JSON Web Key (it has no "kty").`);
  }
  return parsed as JWK;
}

/**
 * A local symmetric key (a JWK of kty "oct") under `<dataDir>/keys/`, created on first use, for development and the
 * demo only. Written to a temporary name and hard-linked into place, so processes starting together share one.
 */
export async function loadOrCreateSecret(
  dataDir: string,
  name: string,
): Promise<{ jwk: JWK; path: string; created: boolean }> {
  const dir = join(dataDir, "keys");
  const path = join(dir, `${name}.secret.jwk.json`);
  let created = false;
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const jwk = {
      kty: "oct",
      k: randomBytes(32).toString("base64url"),
      kid: `${name}-${randomUUID().slice(0, 8)}`,
      alg: "HS256",
    };
    const temp = join(dir, `.${name}.${process.pid}.${randomUUID()}`);
    writeFileSync(temp, JSON.stringify(jwk, null, 2), { mode: 0o600 });
    try {
      linkSync(temp, path);
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  return { jwk: readJwk(path), path, created };
}

/**
 * The gateway's secret its assertions to the agencies are MACed under (each agency's key derived from it):
 * GATEWAY_ASSERTION_SECRET_FILE, required in production; locally the development secret under <data dir>/keys.
 */
export async function gatewayAssertionSecret(dataDir: string, production: boolean): Promise<JWK> {
  const file = process.env.GATEWAY_ASSERTION_SECRET_FILE;
  if (file) return readJwk(file);
  if (production) throw new Error("GATEWAY_ASSERTION_SECRET_FILE must be set when NODE_ENV=production.");
  return (await loadOrCreateSecret(dataDir, "gateway-assertion")).jwk;
}

/**
 * One agency's own assertion key: GATEWAY_ASSERTION_KEY_FILE, required in production (npm run deploy:secrets writes
 * one per agency); locally derived from the development secret, which every local service can read.
 */
export async function agencyAssertionKeyFromEnv(agency: string, dataDir: string, production: boolean): Promise<JWK> {
  const file = process.env.GATEWAY_ASSERTION_KEY_FILE;
  if (file) return readJwk(file);
  if (production) throw new Error("GATEWAY_ASSERTION_KEY_FILE must be set when NODE_ENV=production.");
  return agencyAssertionKey((await loadOrCreateSecret(dataDir, "gateway-assertion")).jwk, agency);
}
