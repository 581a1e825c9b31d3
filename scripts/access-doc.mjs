// npm run docs:access   writes docs/ACCESS.md from the access policy table (subgraphs/kit/src/access/policy.ts)
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderAccessPolicyMarkdown } from "@safeguarding/shared/policy-doc";

const target = fileURLToPath(new URL("../docs/ACCESS.md", import.meta.url));
writeFileSync(target, renderAccessPolicyMarkdown());
console.log(`wrote ${target}`);
