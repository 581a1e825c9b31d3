import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["integration/**/*.test.ts", "portal/**/*.test.ts", "deploy/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file boots its own processes; running files one at a time keeps a 2-core machine responsive.
    fileParallelism: false,
  },
});
