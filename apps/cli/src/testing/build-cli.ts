// Vitest globalSetup: the tests run the BUILT CLI as a subprocess, and turbo's `test` task only
// builds the dependencies (`^build`), so this package's own build happens here, once per run,
// unless dist/ is already newer than every source file (`pnpm build` just ran): tsc costs seconds.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));

/** Whether some source file that the build compiles has no output newer than itself. */
function isStale(): boolean {
  const src = join(packageDir, "src");
  const sources = readdirSync(src, { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.split(/[\\/]/).includes("testing"),
  );
  return sources.some((file) => {
    const output = join(packageDir, "dist", file.replace(/\.ts$/, ".js"));
    const built = statSync(output, { throwIfNoEntry: false });
    return built === undefined || built.mtimeMs < statSync(join(src, file)).mtimeMs;
  });
}

export default function setup(): void {
  if (!isStale()) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: packageDir, stdio: "inherit" });
}
