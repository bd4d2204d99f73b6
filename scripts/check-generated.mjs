#!/usr/bin/env node
// Fails when the package's src/generated differs from what its `generate` just wrote (turbo runs
// `generate` first): generated code is committed and must always match openapi/*.yaml. Run from a
// package directory (@psapi/openapi-types: the spec's types and the operation table).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const cwd = process.cwd();
const name = JSON.parse(readFileSync("package.json", "utf8")).name;
const git = (...args) => spawnSync("git", args, { cwd, encoding: "utf8" });

const inside = git("rev-parse", "--is-inside-work-tree");
if (inside.status !== 0 || inside.stdout.trim() !== "true") {
  process.stdout.write("check:generated: skipped (not a git checkout)\n");
  process.exit(0);
}

const diff = git("diff", "--exit-code", "--stat", "--", "src/generated");
const untracked = git("ls-files", "--others", "--exclude-standard", "--", "src/generated");
if (diff.status === 0 && untracked.status === 0 && untracked.stdout.trim() === "") {
  process.stdout.write(`check:generated: ${name} src/generated matches openapi/*.yaml\n`);
  process.exit(0);
}

const problems = [];
if (diff.status !== 0) problems.push(diff.stdout.trim() || diff.stderr.trim());
if (untracked.stdout.trim() !== "") problems.push(`untracked:\n${untracked.stdout.trim()}`);
if (untracked.status !== 0) problems.push(untracked.stderr.trim());
process.stderr.write(
  [
    `check:generated: ${name} src/generated is out of date with openapi/*.yaml.`,
    ...problems,
    `Run \`pnpm --filter ${name} generate\` and commit src/generated together with the spec change.`,
    "",
  ].join("\n"),
);
process.exit(1);
