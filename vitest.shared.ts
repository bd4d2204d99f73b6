import { defineConfig } from "vitest/config";

/**
 * Settings every package's vitest config merges in: the JSON report that `scripts/test.mjs`
 * sums into the one closing line of `pnpm test`.
 */
export const sharedTestConfig = defineConfig({
  test: {
    reporters: ["default", ["json", { outputFile: "reports/vitest.json" }]],
    // A timeout only stops a hung test; it is not a measure of speed. On the shared 2-core CI
    // machine, with another copy of the suite beside it (load average 30+), tests that spawn Node
    // or decode images took up to 24 s, and the machine can be 18 times slower than idle, so the
    // bound is well above that.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
