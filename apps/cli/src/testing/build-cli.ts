// Vitest globalSetup: the tests run the BUILT CLI (dist/cli.js) as a subprocess. turbo's `test`
// task of this package depends on its own `build` (apps/cli/turbo.json), so nothing here rebuilds:
// a second tsc writing dist/ while turbo's build task does was a race that failed tests under load.
// Run directly (`pnpm vitest` in this folder) without a build, the suite stops at once and says why.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export default function setup(): void {
  if (!existsSync(cli)) {
    throw new Error("@psapi/cli tests run the built CLI, and dist/cli.js is missing: run `pnpm build` first");
  }
}
