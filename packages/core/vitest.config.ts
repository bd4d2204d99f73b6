import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      coverage: {
        provider: "v8",
        include: ["src/**/*.ts"],
        // The tests themselves are not the product. The fake clock is: it ships as @psapi/core/testing.
        exclude: ["src/**/*.test.ts"],
        reporter: ["text", "json-summary"],
        thresholds: { lines: 100, branches: 100, functions: 100, statements: 100 },
      },
    },
  }),
);
