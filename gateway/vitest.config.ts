import { defineConfig, mergeConfig } from "vitest/config";
import { sharedVitestConfig } from "../vitest.shared.js";

// The packages nested in gateway/ (shared, protocol-engine) run their own tests.
export default mergeConfig(sharedVitestConfig, defineConfig({ test: { include: ["src/**/*.test.ts"] } }));
