// scripts/check-packages.mjs and scripts/consumer-test.mjs: `pnpm test` runs them without `--keep`;
// the READMEs tell users to run `check-packages.mjs --keep <dir>`, which once failed on a second
// run, and `consumer-test.mjs --keep` crashed on importing check-packages.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CHECK_PACKAGES = join(ROOT, "scripts", "check-packages.mjs");
const CORE = join(ROOT, "packages", "core");

const scratch = mkdtempSync(join(tmpdir(), "psapi-packaging-scripts-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the packaging scripts", () => {
  it("pack() packs into the same directory twice, imported by a script run with a bare --keep", () => {
    const version = (JSON.parse(readFileSync(join(CORE, "package.json"), "utf8")) as { version: string })
      .version;
    // What consumer-test.mjs does: its own bare --keep is in process.argv when it imports pack().
    const script = `
      process.argv.push("--keep");
      const { pack } = await import(${JSON.stringify(CHECK_PACKAGES)});
      const made = [pack(${JSON.stringify(CORE)}, ${JSON.stringify(scratch)}), pack(${JSON.stringify(CORE)}, ${JSON.stringify(scratch)})];
      console.log(JSON.stringify(made));
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const tarball = join(scratch, `psapi-core-${version}.tgz`);
    expect(JSON.parse(output.trim().split("\n").at(-1) ?? "null")).toEqual([tarball, tarball]);
    expect(readdirSync(scratch)).toEqual([`psapi-core-${version}.tgz`]);
  });
});
