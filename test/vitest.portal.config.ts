import { defineConfig } from "vitest/config";

/** Browser tests of the built portal only: `npm exec -- vitest run --config vitest.portal.config.ts` in test/. */
export default defineConfig({
  test: {
    include: ["portal/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
