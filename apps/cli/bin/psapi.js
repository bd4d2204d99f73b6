#!/usr/bin/env node
// The `psapi` executable. The program is ../dist/cli.js; this launcher is committed so that the
// package's `bin` exists before anything is built: pnpm links bins at install time, and a bin that
// pointed into dist/ was not linked on a fresh clone (a warning per package, and `pnpm exec psapi`
// needed a second install after the build). Packed tarballs ship dist/, so this check never fails
// for an installed package.
import { existsSync } from "node:fs";

const program = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(program)) {
  process.stderr.write(
    "psapi: this copy of @psapi/cli is not built (dist/cli.js is missing).\n" +
      "hint: in the repository, run `pnpm build`, or `pnpm psapi <command>`, which builds what it needs first\n",
  );
  process.exit(1);
}
await import(program.href);
