import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./files.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "psapi-core-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("replaces the file's content whole and leaves no temporary file", async () => {
    const path = join(dir, "out.txt");
    await writeFile(path, "old");
    await writeFileAtomic(path, "new content");
    expect(await readFile(path, "utf8")).toBe("new content");
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    expect(await readdir(dir)).toEqual(["out.txt"]);
  });

  it("throws the file system's error and removes the temporary file when the rename fails", async () => {
    // A directory in the way: the temporary file is written, the rename onto it fails.
    const path = join(dir, "taken");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(path, "inside"), { recursive: true });
    await expect(writeFileAtomic(path, "x")).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["taken"]);
  });
});
