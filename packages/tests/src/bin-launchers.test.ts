import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/** The `.bin` folder pnpm linked for this package: the bins as a workspace user runs them. */
const BIN = fileURLToPath(new URL("../node_modules/.bin", import.meta.url));

function run(
  file: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The timeout is a hang detector under the suite's 120 s test timeout. A child it kills is
    // reported as code -1: execFile calls a killed child that then exits 0 a success.
    const child = execFile(
      file,
      args,
      { env: { PATH: process.env.PATH ?? "" }, timeout: 100_000 },
      (error, stdout, stderr) => {
        resolve({
          code: child.killed ? -1 : error === null ? 0 : typeof error.code === "number" ? error.code : -1,
          stdout,
          stderr,
        });
      },
    );
  });
}

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
