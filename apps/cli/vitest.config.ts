import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    // The tests run the built CLI (dist/cli.js) as a subprocess: build it once before them.
    test: { globalSetup: ["src/testing/build-cli.ts"] },
  }),
);
