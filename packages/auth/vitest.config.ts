import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      coverage: {
        provider: "v8",
        include: ["src/**/*.ts"],
        exclude: [
          // The tests themselves are not the product.
          "src/**/*.test.ts",
          // Test doubles (the fake IMS): not shipped (tsconfig.build.json excludes them too).
          "src/testing/**",
        ],
        reporter: ["text", "json-summary"],
        thresholds: { lines: 100, branches: 100, functions: 100, statements: 100 },
      },
    },
  }),
);
