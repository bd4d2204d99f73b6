import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "@psapi/cli/testing";
import { afterAll, describe, expect, it } from "vitest";

/** The `.bin` folder pnpm linked for this package: the bins as a workspace user runs them. */
const BIN = fileURLToPath(new URL("../node_modules/.bin", import.meta.url));

/** A bin run in a clean environment; the hang detector stays under the suite's 120 s test timeout. */
const run = (file: string, args: readonly string[]) => runCommand(file, args, { hangMs: 100_000 });

/** The committed launcher of a package's bin, copied into a folder with no dist/ beside it. */
function unbuiltCopy(packageName: string, launcher: string): string {
  const manifest = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
  const copy = join(scratch, packageName.replace("/", "+"), "bin", launcher);
  mkdirSync(dirname(copy), { recursive: true });
  copyFileSync(join(dirname(manifest), "bin", launcher), copy);
  return copy;
}

const scratch = mkdtempSync(join(tmpdir(), "psapi-bin-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the committed bin launchers (#15)", () => {
  it("psapi, linked at install time, runs the built CLI", async () => {
    const { version } = JSON.parse(
      readFileSync(createRequire(import.meta.url).resolve("@psapi/cli/package.json"), "utf8"),
    ) as { version: string };
    const result = await run(join(BIN, "psapi"), ["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("psapi-emulator, linked at install time, runs the built server and names itself in its usage", async () => {
    const result = await run(join(BIN, "psapi-emulator"), ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: psapi-emulator \[options\]/);
  });

  it.each([
    ["@psapi/cli", "psapi.js", /psapi: this copy of @psapi\/cli is not built \(dist\/cli\.js is missing\)/],
    [
      "@psapi/mock-server",
      "psapi-emulator.js",
      /psapi-emulator: this copy of @psapi\/mock-server is not built \(dist\/main\.js is missing\)/,
    ],
  ])("%s's %s says what to do when dist/ is missing, with exit code 1", async (name, launcher, message) => {
    const result = await run(process.execPath, [unbuiltCopy(name, launcher)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/hint: in the repository, run `pnpm build`/);
  });
});
