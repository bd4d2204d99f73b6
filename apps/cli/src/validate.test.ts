import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "./cli-error.js";
import { parseInputArgument, parsePositiveNumber, parseUrlArgument, prepareOutPath } from "./validate.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-validate-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parseUrlArgument", () => {
  it.each([
    "https://image.adobe.io",
    "http://127.0.0.1:4010",
    "http://localhost:4010/x",
    "http://[::1]:4010",
  ])("accepts %s", (value) => {
    expect(parseUrlArgument(value).href).toBe(new URL(value).href);
  });

  it.each(["http://example.com", "ftp://example.com/a", "image.adobe.io", ""])("refuses %j", (value) => {
    expect(() => parseUrlArgument(value)).toThrow(InvalidArgumentError);
  });
});

describe("parseInputArgument", () => {
  it("takes an https URL as a URL and an existing file as a file", async () => {
    const file = join(dir, "a.png");
    await writeFile(file, "x");
    expect(parseInputArgument("https://b.example/a.png")).toEqual({
      kind: "url",
      url: new URL("https://b.example/a.png"),
    });
    expect(parseInputArgument(file)).toEqual({ kind: "file", path: file });
  });

  it("refuses a missing file, a directory and a plain-http URL to another host", () => {
    expect(() => parseInputArgument(join(dir, "missing.png"))).toThrow("no such file.");
    expect(() => parseInputArgument(dir)).toThrow("not a file.");
    expect(() => parseInputArgument("http://example.com/a.png")).toThrow(InvalidArgumentError);
  });
});

describe("numbers", () => {
  it("parsePositiveNumber takes decimals above 0 and refuses the rest", () => {
    expect(parsePositiveNumber("2.5")).toBe(2.5);
    for (const value of ["0", "-1", "", " ", "abc", "Infinity"]) {
      expect(() => parsePositiveNumber(value), value).toThrow(InvalidArgumentError);
    }
  });
});

describe("prepareOutPath", () => {
  it("creates the missing parent directories and returns the absolute path", async () => {
    expect(await prepareOutPath("deep/er/mask.png", dir)).toBe(join(dir, "deep", "er", "mask.png"));
  });

  it("tries a write where the result will go, and leaves nothing behind", async () => {
    const target = join(dir, "probe", "mask.png");
    await prepareOutPath(target, dir);
    expect(await readdir(join(dir, "probe"))).toEqual([]);
  });

  it.runIf(process.platform === "linux")(
    "refuses a place that cannot be written even by root (/proc) before any work starts",
    async () => {
      const error = await prepareOutPath("/proc/psapi-mask.png", dir).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).message).toBe("cannot write to --out /proc/psapi-mask.png");
    },
  );

  it("refuses a directory as --out with a usage error", async () => {
    const error = await prepareOutPath(".", dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
  });
});
