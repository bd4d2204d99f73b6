import { defineConfig } from "vitest/config";

/**
 * Settings every package's vitest config merges in: the JSON report that `scripts/test.mjs`
 * sums into the one closing line of `pnpm test`.
 */
export const sharedTestConfig = defineConfig({
  test: {
    reporters: ["default", ["json", { outputFile: "reports/vitest.json" }]],
    testTimeout: 20_000,
  },
});
