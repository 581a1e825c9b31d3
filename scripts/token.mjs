// npm run token -- --user <demo user> [--ttl <seconds>]   prints a bearer token from the development identity provider
// npm run token -- --list                                  lists the demo users and their roles
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";

if (!existsSync(new URL("../gateway/shared/dist/dev-idp.js", import.meta.url))) {
  console.error("Build first: npm start (or npm run build) builds the packages this command uses.");
  process.exit(1);
}
const { DEMO_USERS, findDemoUser, loadDevIdentityProvider } = await import("@safeguarding/shared/dev-idp");
const { defaultDataDir } = await import("@safeguarding/shared/config");

const { values } = parseArgs({
  options: { user: { type: "string" }, list: { type: "boolean" }, ttl: { type: "string" }, help: { type: "boolean" } },
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
  console.log("Usage: npm run token -- --user <demo user> [--ttl <seconds>]\n       npm run token -- --list\n");
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
const ttlSeconds = values.ttl === undefined ? undefined : Number(values.ttl);
if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0 && ttlSeconds <= 7 * 24 * 3600)) {
  console.error("--ttl must be a whole number of seconds between 1 and 604800 (7 days).");
  process.exit(1);
}
const idp = await loadDevIdentityProvider(defaultDataDir());
console.log(await idp.issue(user, { ttlSeconds }));
