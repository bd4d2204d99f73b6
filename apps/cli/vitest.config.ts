import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    // The tests run the built CLI (dist/cli.js) as a subprocess; turbo builds it first (turbo.json).
    // Every test spawns the CLI (Node loading sharp, the client and the emulator) one to three
    // times; under load (another copy of the suite beside this one, load average 30 on 2 cores) one
    // test took up to 28 s. These bounds only stop a hung run; they measure nothing.
    test: {
      globalSetup: ["src/testing/build-cli.ts"],
      testTimeout: 300_000,
      hookTimeout: 300_000,
      // Files share one module graph per worker, as in mock-server, batch and client: the emulators
      // the tests serve (Hono, sharp, the specs) load once, not once per file. The two files with
      // fake timers restore real ones after each test, and no file mocks a module or the env.
      isolate: false,
    },
  }),
);
