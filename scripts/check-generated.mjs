#!/usr/bin/env node
// Fails when src/generated differs from what `generate` just wrote (turbo runs `generate` first):
// the generated types are committed and must always match openapi/*.yaml.
import { spawnSync } from "node:child_process";

const cwd = new URL("..", import.meta.url);
const git = (...args) => spawnSync("git", args, { cwd, encoding: "utf8" });

const inside = git("rev-parse", "--is-inside-work-tree");
if (inside.status !== 0 || inside.stdout.trim() !== "true") {
  process.stdout.write("check:generated: skipped (not a git checkout)\n");
  process.exit(0);
}

const diff = git("diff", "--exit-code", "--stat", "--", "src/generated");
const untracked = git("ls-files", "--others", "--exclude-standard", "--", "src/generated");
if (diff.status === 0 && untracked.status === 0 && untracked.stdout.trim() === "") {
  process.stdout.write("check:generated: src/generated matches openapi/*.yaml\n");
  process.exit(0);
}

const problems = [];
if (diff.status !== 0) problems.push(diff.stdout.trim() || diff.stderr.trim());
if (untracked.stdout.trim() !== "") problems.push(`untracked:\n${untracked.stdout.trim()}`);
if (untracked.status !== 0) problems.push(untracked.stderr.trim());
process.stderr.write(
  [
    "check:generated: src/generated is out of date with openapi/*.yaml.",
    ...problems,
    "Run `pnpm --filter @psapi/client generate` and commit src/generated together with the spec change.",
    "",
  ].join("\n"),
);
process.exit(1);
