// npm run token -- --user <demo user>   prints an access token for the gateway, from the development identity provider
// npm run token -- --list               lists the demo users and their roles
//
// The token comes from the identity provider at AUTH_ISSUER (http://127.0.0.1:4400 by default, where `npm start`
// runs it) through its real sign-in flow (authorization code + PKCE, choosing the demo user). When nothing answers
// there, this command starts the provider in-process on that address for as long as it takes, with the same data
// folder (so the same signing key), and stops it again.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";

if (!existsSync(new URL("../gateway/identity-provider/dist/client.js", import.meta.url))) {
  console.error("Build first: npm start (or npm run build) builds the packages this command uses.");
  process.exit(1);
}
const { DEMO_USERS, findDemoUser } = await import("@safeguarding/shared/demo-users");
const { demoAccessToken } = await import("@safeguarding/identity-provider/client");

const { values } = parseArgs({
  options: { user: { type: "string" }, list: { type: "boolean" }, help: { type: "boolean" } },
});

function list() {
  const width = Math.max(...DEMO_USERS.map((u) => u.id.length));
  console.log("Demo users (invented people), for npm run token -- --user <id>:\n");
  for (const user of DEMO_USERS) {
    console.log(`  ${user.id.padEnd(width)}  ${user.role.padEnd(19)}  ${user.name}, ${user.organisation}`);
    console.log(`  ${" ".repeat(width)}  ${" ".repeat(19)}  ${user.note}`);
  }
}

if (values.help || (!values.user && !values.list)) {
  console.log("Usage: npm run token -- --user <demo user>\n       npm run token -- --list\n");
  list();
  process.exit(values.help ? 0 : 1);
}
if (values.list) {
  list();
  process.exit(0);
}
const user = findDemoUser(values.user);
if (!user) {
  console.error(`No demo user "${values.user}". Run npm run token -- --list to see them.`);
  process.exit(1);
}

const issuer = (process.env.AUTH_ISSUER || `http://127.0.0.1:${process.env.IDP_PORT || 4400}`).replace(/\/$/, "");
const refused = (error) => error?.cause?.code === "ECONNREFUSED";

try {
  console.log(await demoAccessToken(issuer, user.id));
} catch (error) {
  if (!refused(error)) {
    console.error(`The identity provider at ${issuer} refused: ${error.message}`);
    process.exit(1);
  }
  const { identityProviderOptionsFromEnv, startIdentityProvider } = await import("@safeguarding/identity-provider");
  const address = new URL(issuer);
  if (address.protocol !== "http:" || !["127.0.0.1", "localhost"].includes(address.hostname)) {
    console.error(`Nothing answers at ${issuer}: start it (npm start), or set AUTH_ISSUER to where it runs.`);
    process.exit(1);
  }
  console.error(`(Nothing answers at ${issuer}: starting the identity provider there for this command.)`);
  const running = await startIdentityProvider({
    ...identityProviderOptionsFromEnv(),
    host: address.hostname,
    port: Number(address.port || 80),
    issuer,
  });
  try {
    console.log(await demoAccessToken(issuer, user.id));
  } finally {
    await running.close();
  }
}
