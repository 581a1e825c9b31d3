import { ACCESS_PURPOSE_CODES, ACCESS_PURPOSE_DESCRIPTIONS, ROLE_DESCRIPTIONS, ROLES, type Role } from "./identity.js";
import { DEMO_USERS } from "./demo-users.js";
import { ACCESS_POLICY, CONDITION_TEXT, PROTOCOL_ENGINE, type Condition, type Rule } from "./policy.js";

const SHORT_CONDITION: Record<Condition, string> = {
  MISSING_OR_RECENTLY_FOUND: "if missing",
  ALLOCATED_SOCIAL_WORKER: "if allocated",
};

function cell(rule: Rule, role: Role): string {
  if (rule.allow === "ANYONE" || rule.allow.includes(role)) return "✓";
  if (rule.allowIf?.roles.includes(role)) return SHORT_CONDITION[rule.allowIf.condition];
  return "—";
}

const escape = (text: string) => text.replace(/\|/g, "\\|");

/**
 * docs/ACCESS.md, written from the policy table itself (`npm run docs:access`); a test fails when the committed
 * file differs, so the document cannot drift from what the services enforce.
 */
export function renderAccessPolicyMarkdown(): string {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(
    "# Who may see what",
    "",
    "<!-- Generated from gateway/shared/src/policy.ts by `npm run docs:access`. Do not edit by hand: a test fails when this file and the table differ. -->",
    "",
    "This is the access policy every service enforces. The same table drives the check in each agency's subgraph (a",
    "type-graphql global middleware on every field whose answer the field leading to it has not already decided) and",
    "on every field the gateway answers itself (child index, protocol engine, action card, access log, glossary).",
    "Anything not in the table is refused.",
    "",
    "- A refused field comes back `null` with an error whose `extensions.code` is `FORBIDDEN` and whose",
    "  `extensions.field` names it (`Placement.address`); the rest of the record still comes back.",
    "- A refused write is refused whole, with `FORBIDDEN` naming the mutation, and changes nothing.",
    "- The gateway tells each agency who the caller is in a signed assertion that lasts 60 seconds and names that",
    "  agency; an agency called without a valid one answers 401. Nobody gets around this table by calling an agency.",
    "- Every read of a child's record, every search and every write is recorded, with what was shown and refused,",
    "  in the gateway's audit trail and in each agency's own (see the README, Audit trail).",
    "",
    "## Roles",
    "",
    "| Role | Who | Demo users (`npm run token -- --user <id>`) |",
    "|---|---|---|",
  );
  for (const role of ROLES) {
    const users = DEMO_USERS.filter((u) => u.role === role)
      .map((u) => `\`${u.id}\` (${u.name})`)
      .join(", ");
    push(`| \`${role}\` | ${ROLE_DESCRIPTIONS[role]} | ${users} |`);
  }
  push(
    "",
    `\`${PROTOCOL_ENGINE}\` is not a role anyone holds: it is the gateway's protocol engine reading the facts its rules need`,
    "on the user's behalf. What it derives (flags, the action card) is checked again against the user's own role.",
    "",
    "## Conditions",
    "",
    "| In the tables | Means |",
    "|---|---|",
  );
  for (const [condition, text] of Object.entries(CONDITION_TEXT))
    push(`| ${SHORT_CONDITION[condition as Condition]} | Shown ${text}. |`);
  push(
    "",
    "The facts behind a condition come from the agency that holds them (police: open missing episodes; social care:",
    "the allocated social worker, matched on the email address in the caller's token). The gateway gathers them when",
    "it looks the child up and passes them to every agency inside its signed assertion; without them a condition is",
    "false.",
    "",
    "## Purpose of access",
    "",
    "`child` and `children` need `purpose: { code, reference, agreement }`. The reference is the incident, case or",
    "meeting number; `agreement` names the data-sharing agreement relied on, where there is one.",
    "",
    "| Code | Use it for |",
    "|---|---|",
  );
  for (const code of ACCESS_PURPOSE_CODES) push(`| \`${code}\` | ${ACCESS_PURPOSE_DESCRIPTIONS[code]} |`);
  push("", "## The table", "", "✓ always; — never; *if missing* / *if allocated*: under that condition.", "");
  const header = `| Field | ${ROLES.map((r) => `\`${r}\``).join(" | ")} | Why |`;
  const rule = `|---|${ROLES.map(() => ":-:").join("|")}|---|`;
  for (const [typeName, type] of Object.entries(ACCESS_POLICY)) {
    push(`### ${typeName}`, "", header, rule);
    const fields = Object.entries(type.fields ?? {});
    const row = (label: string, r: Rule) =>
      push(`| ${label} | ${ROLES.map((role) => cell(r, role)).join(" | ")} | ${escape(r.why ?? "")} |`);
    for (const [field, fieldRule] of fields) row(`\`${field}\``, fieldRule);
    row(fields.length ? "*every other field*" : "*every field*", type.default);
    push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
