// turbo's task graph: a test task that runs some package's built output (dist/) must come after
// that package's build, or tsc rewrites the files while the test imports them. The CLI's tests once
// ran beside @psapi/cli#build and failed under load with "does not provide an export named …".
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** Each test task, and the builds whose dist/ it runs as a subprocess or imports by path. */
const RUNS_BUILT_OUTPUT: Record<string, string[]> = {
  // apps/cli/src/testing/run-cli.ts spawns dist/cli.js, which loads the emulator's dist/.
  "@psapi/cli#test": ["@psapi/cli#build", "@psapi/mock-server#build"],
  // The end-to-end, fleet and launcher tests spawn both programs.
  "@psapi/tests#test": ["@psapi/cli#build", "@psapi/mock-server#build"],
  // The docs site's browser test serves the built site (docs/dist/), which holds the CLI's --help
  // and the emulator's Redoc bundle.
  "@psapi/docs#test": ["@psapi/docs#build", "@psapi/cli#build", "@psapi/mock-server#build"],
  // The bundle-size test bundles auth's dist/.
  "@psapi/client#test": ["@psapi/auth#build", "@psapi/core#build"],
};

interface DryTask {
  taskId: string;
  dependencies: string[];
}

describe("turbo's task graph", () => {
  const dry = JSON.parse(
    execFileSync("pnpm", ["exec", "turbo", "run", "test", "--dry=json"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as { tasks: DryTask[] };
  const byId = new Map(dry.tasks.map((task) => [task.taskId, task]));

  /** Every task that must finish before `taskId` starts. */
  function before(taskId: string): Set<string> {
    const seen = new Set<string>();
    const stack = [...(byId.get(taskId)?.dependencies ?? [])];
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(byId.get(id)?.dependencies ?? []));
    }
    return seen;
  }

  it.each(Object.entries(RUNS_BUILT_OUTPUT))("%s starts after the builds it runs", (test, builds) => {
    expect(byId.has(test)).toBe(true);
    const done = before(test);
    for (const build of builds) expect(done, `${test} must wait for ${build}`).toContain(build);
  });
});
