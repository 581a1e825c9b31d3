import { randomUUID } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";

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
 * One half of the gateway's assertion key pair: from GATEWAY_ASSERTION_PRIVATE_KEY_FILE (the gateway) or
 * GATEWAY_ASSERTION_PUBLIC_KEY_FILE (each subgraph), required in production; locally the development pair under
 * <data dir>/keys, created by whichever service starts first.
 */
export async function gatewayAssertionKey(
  half: "private" | "public",
  dataDir: string,
  production: boolean,
): Promise<JWK> {
  const setting = `GATEWAY_ASSERTION_${half.toUpperCase()}_KEY_FILE`;
  const file = process.env[setting];
  if (file) return readJwk(file);
  if (production) throw new Error(`${setting} must be set when NODE_ENV=production.`);
  const pair = await loadOrCreateKeyPair(dataDir, "gateway-assertion");
  return half === "private" ? pair.privateJwk : pair.publicJwk;
}
