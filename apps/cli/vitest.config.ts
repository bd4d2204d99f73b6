import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    // The tests run the built CLI (dist/cli.js) as a subprocess: build it once before them.
    test: {
      globalSetup: ["src/testing/build-cli.ts"],
      // Each test starts one to three Node processes (the built CLI) and often an emulator: on a
      // loaded 2-core machine one such process can take 10 s to start and finish, so the shared
      // 20 s would fail tests that are merely slow. A bound, not a measurement.
      testTimeout: 60_000,
    },
  }),
);
