// Vitest globalSetup: the tests run the BUILT CLI as a subprocess, and turbo's `test` task only
// builds the dependencies (`^build`), so this package's own build happens here, once per run.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const packageDir = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: packageDir, stdio: "inherit" });
}
