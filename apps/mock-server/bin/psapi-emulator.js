#!/usr/bin/env node
// The `psapi-emulator` executable. The program is ../dist/main.js; this launcher is committed so
// that the package's `bin` exists before anything is built: pnpm links bins at install time, and a
// bin that pointed into dist/ was not linked on a fresh clone (a warning per dependent package).
// Packed tarballs ship dist/, so this check never fails for an installed package.
import { existsSync } from "node:fs";

const program = new URL("../dist/main.js", import.meta.url);
if (!existsSync(program)) {
  process.stderr.write(
    "psapi-emulator: this copy of @psapi/mock-server is not built (dist/main.js is missing).\n" +
      "hint: in the repository, run `pnpm build`, or `pnpm emulator`, which builds it first\n",
  );
  process.exit(1);
}
const { main } = await import(program.href);
await main();
