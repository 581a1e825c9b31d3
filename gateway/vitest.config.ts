import { defineConfig, mergeConfig } from "vitest/config";
import { sharedVitestConfig } from "../vitest.shared.js";

// The packages nested in gateway/ (shared, protocol-engine) run their own tests; the explorer's browser code has
// pure helpers tested here too.
export default mergeConfig(
  sharedVitestConfig,
  defineConfig({ test: { include: ["src/**/*.test.ts", "explorer/src/**/*.test.ts"] } }),
);
