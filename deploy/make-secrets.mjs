// `npm run deploy:secrets [-- --force]`: the keys and passwords deploy/compose.yaml needs, made fresh on this machine:
//   deploy/secrets/   key files mounted into the containers (the *_FILE settings, and the development identity
//                     provider's signing key and secrets) and the PostgreSQL superuser password
//   deploy/.env       the per-service database passwords and the portal's client secret at the identity provider, which the services read
//                     from their environment (compose substitutes them into the URLs)
// Both are git-ignored and kept out of images by .dockerignore. Existing files are kept unless --force is given, so
// a running deployment's keys are never replaced by accident. `npm run test:deploy` makes its own set the same way.
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { agencyAssertionKey } from "@safeguarding/shared/assertion";

/** The files written into the secrets folder, named as deploy/compose.yaml refers to them. */
export const SECRET_FILES = [
  "postgres_password",
  // The gateway's assertion secret, and the key derived from it for each agency and the alerts service (each is given
  // only its own).
  "gateway-assertion.secret.jwk.json",
  "gateway-assertion.police.jwk.json",
  "gateway-assertion.social-care.jwk.json",
  "gateway-assertion.health.jwk.json",
  "gateway-assertion.alerts.jwk.json",
  // The events secret: agencies sign the events they post to the alerts service's /events with it (docs/ALERTS.md).
  "events.secret.jwk.json",
  // The development identity provider keeps its signing key and secrets in <DATA_DIR>/keys under these names and
  // makes them only when they are missing; compose mounts these, so it signs with the key the gateways trust.
  "identity-provider.private.jwk.json",
  "identity-provider.public.jwk.json",
  "identity-provider.secrets.json",
  // The same public key as a key set, for the gateways' AUTH_JWKS_FILE.
  "identity-provider.jwks.json",
];

/** The variables written into .env, each one compose substitutes with `${NAME:?…}`. */
export const ENV_VARIABLES = [
  "POLICE_DB_PASSWORD",
  "SOCIAL_CARE_DB_PASSWORD",
  "HEALTH_DB_PASSWORD",
  "GATEWAY_DB_PASSWORD",
  "PORTAL_DB_PASSWORD",
  "ALERTS_DB_PASSWORD",
  // The portal's client secret at the identity provider: the provider's secrets file holds the same value.
  "PORTAL_OIDC_CLIENT_SECRET",
  // Each service's password at the NATS broker (deploy/nats.conf reads them from the broker's environment).
  "NATS_POLICE_PASSWORD",
  "NATS_SOCIAL_CARE_PASSWORD",
  "NATS_HEALTH_PASSWORD",
  "NATS_GATEWAY_PASSWORD",
  "NATS_ALERTS_PASSWORD",
];

/** An Ed25519 signing key as the services read it: a private and a public JSON Web Key with the same kid. */
function ed25519Pair(name) {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const kid = `${name}-${randomUUID().slice(0, 8)}`;
  const meta = { kid, alg: "EdDSA", use: "sig" };
  return {
    privateJwk: { ...privateKey.export({ format: "jwk" }), ...meta },
    publicJwk: { ...publicKey.export({ format: "jwk" }), ...meta },
  };
}

// URL-safe, so a password can sit in a postgres:// URL without escaping.
const password = () => randomBytes(24).toString("base64url");
// The broker reads its users' passwords from its environment as configuration values (deploy/nats.conf): letters
// and digits only, starting with a letter, so none can be read as a number or anything but a plain string.
const natsPassword = () => `p${randomBytes(24).toString("hex")}`;

/**
 * Writes a complete set into `secretsDir` and `envFile` and returns what it wrote. Key files are readable by their
 * owner only: compose mounts them as they are, so the containers' user (uid 1000) must own them.
 */
export function makeSecrets({ secretsDir, envFile }) {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const env = Object.fromEntries(
    ENV_VARIABLES.map((name) => [name, name.startsWith("NATS_") ? natsPassword() : password()]),
  );
  const assertion = {
    kty: "oct",
    k: randomBytes(32).toString("base64url"),
    kid: `gateway-assertion-${randomUUID().slice(0, 8)}`,
    alg: "HS256",
  };
  const identityProvider = ed25519Pair("identity-provider");
  const files = {
    postgres_password: password(),
    "gateway-assertion.secret.jwk.json": JSON.stringify(assertion, null, 2),
    ...Object.fromEntries(
      // The alerts service is called with the gateway's assertion like an agency, under its own audience.
      ["police", "social-care", "health", "alerts"].map((agency) => [
        `gateway-assertion.${agency}.jwk.json`,
        JSON.stringify(agencyAssertionKey(assertion, agency), null, 2),
      ]),
    ),
    "events.secret.jwk.json": JSON.stringify(
      { kty: "oct", k: randomBytes(32).toString("base64url"), kid: `events-${randomUUID().slice(0, 8)}`, alg: "HS256" },
      null,
      2,
    ),
    "identity-provider.private.jwk.json": JSON.stringify(identityProvider.privateJwk, null, 2),
    "identity-provider.public.jwk.json": JSON.stringify(identityProvider.publicJwk, null, 2),
    "identity-provider.secrets.json": JSON.stringify(
      { cookieKeys: [password()], portalClientSecret: env.PORTAL_OIDC_CLIENT_SECRET },
      null,
      2,
    ),
    "identity-provider.jwks.json": JSON.stringify({ keys: [identityProvider.publicJwk] }, null, 2),
  };
  for (const name of SECRET_FILES) writeFileSync(join(secretsDir, name), `${files[name]}\n`, { mode: 0o600 });
  writeFileSync(
    envFile,
    `# Written by npm run deploy:secrets; read by docker compose -f deploy/compose.yaml.\n${Object.entries(env)
      .map(([name, value]) => `${name}=${value}`)
      .join("\n")}\n`,
    { mode: 0o600 },
  );
  return { env, identityProviderKey: identityProvider.privateJwk };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { force: { type: "boolean", default: false } } });
  const deployDir = fileURLToPath(new URL(".", import.meta.url));
  const secretsDir = join(deployDir, "secrets");
  const envFile = join(deployDir, ".env");
  if (!values.force && (existsSync(secretsDir) || existsSync(envFile))) {
    console.error("deploy/secrets or deploy/.env already exists: keeping them. Add -- --force to replace both.");
    process.exit(1);
  }
  makeSecrets({ secretsDir, envFile });
  console.log(
    `Wrote ${SECRET_FILES.length} files into ${secretsDir} and ${ENV_VARIABLES.length} settings into ${envFile}.`,
  );
}
