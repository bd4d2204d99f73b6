#!/usr/bin/env node
// `pnpm test`: the spec lint, the generated-code drift check, lint, the import-cycle check
// (`lint:cycles`, dpdm over every package's sources), typecheck and every package's
// tests, through turbo; then the packaging checks; then one closing line that sums the tests all
// packages ran. Arguments go to turbo: `pnpm test --filter @psapi/core` runs that package's tasks
// only, and then skips the packaging checks, which pack and install every public package.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const packageDirs = [
  ...["apps", "packages"].flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(root, group, entry.name)),
  ),
  join(root, "openapi"),
  join(root, "docs"),
];
const args = process.argv.slice(2);
const filtered = args.some((arg) => arg === "--filter" || arg === "-F" || arg.startsWith("--filter="));
// The docs site (a TypeDoc and VitePress build, then its browser test) takes minutes of both cores:
// `pnpm test:docs` runs it (and `.ci/run` does), so that `pnpm test` stays quick to run often.
const turboArgs = filtered ? args : [...args, "--filter=!@psapi/docs"];
const reportOf = (dir) => join(dir, "reports", "vitest.json");
for (const dir of packageDirs) rmSync(reportOf(dir), { force: true });

// Unfiltered, `build` is one of the tasks: the packaging checks below need every package built, and
// asking for it in this run (not a second `turbo run build` afterwards) builds each package once:
// under TURBO_FORCE=true the second run rebuilt every package, about a minute of both cores.
const turbo = spawnSync(
  "pnpm",
  [
    "exec",
    "turbo",
    "run",
    "check:generated",
    "lint",
    "lint:root",
    "lint:cycles",
    "typecheck",
    "test",
    ...(filtered ? [] : ["build"]),
    "--output-logs=new-only",
    "--continue",
    ...turboArgs,
  ],
  { cwd: root, stdio: "inherit", env: { TURBO_TELEMETRY_DISABLED: "1", ...process.env } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
for (const dir of packageDirs) {
  const file = reportOf(dir);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  lines.push(`  ${dir.slice(root.length)}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  // CI keeps only the tail of the log: name each failed test and its first message line here.
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    if (file.status === "failed" && failedTests.length === 0) {
      lines.push(
        `    FAILED ${file.name.slice(root.length)}: ${(file.message ?? "").split("\n")[0].slice(0, 300)}`,
      );
    }
    for (const test of file.assertionResults ?? []) {
      if (test.status !== "failed") continue;
      const message = (test.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 300);
      lines.push(`    FAILED ${file.name.slice(root.length)} > ${test.fullName}: ${message}`);
    }
  }
}
// What a user of the packages gets: every public package packs clean (check-packages), and its
// tarballs install outside the workspace and run the README examples (consumer-test). Each counts
// as one test in the closing line. They need every package built, which turbo has just done (the
// `build` task of the run above).
const status = turbo.status ?? 1;
if (filtered) {
  lines.push(
    "  scripts/check-packages.mjs, scripts/consumer-test.mjs: skipped (--filter; run `pnpm test` unfiltered)",
  );
}
for (const script of ["check-packages.mjs", "consumer-test.mjs"]) {
  if (status !== 0 || filtered) break;
  const check = spawnSync(process.execPath, [join(root, "scripts", script)], { cwd: root, stdio: "inherit" });
  if (check.status === 0) passed += 1;
  else failed += 1;
  lines.push(`  scripts/${script}: ${check.status === 0 ? "1 passed, 0 failed" : "0 passed, 1 failed"}`);
}
console.log(`\n${lines.join("\n")}`);
if (status !== 0 && failed === 0) {
  console.log(
    "pnpm test FAILED: a spec lint, drift check, lint, cycle check, typecheck or build task failed (see above)",
  );
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (status === 0 && passed === 0) {
  console.error("no test ran");
  process.exit(1);
}
process.exit(status === 0 && failed === 0 ? 0 : status || 1);
