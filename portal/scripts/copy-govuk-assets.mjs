// govuk-frontend's CSS refers to /assets/...; copy its images and manifest into public/ before the build.
// The portal uses its own font stack, so the GDS Transport font files are deliberately not copied.
import { cpSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const govukDist = join(dirname(require.resolve("govuk-frontend/package.json")), "dist", "govuk", "assets");
const target = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "assets");

mkdirSync(target, { recursive: true });
cpSync(join(govukDist, "images"), join(target, "images"), { recursive: true });
cpSync(join(govukDist, "manifest.json"), join(target, "manifest.json"));
