import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      // The soak reads the heap after a full collection (globalThis.gc); harmless elsewhere.
      execArgv: ["--expose-gc"],
      // Every file builds its own emulators, clients and clocks; nothing is module-global. Sharing
      // the module graph per worker saves loading sharp, the emulator and the specs once per file.
      isolate: false,
    },
  }),
);
