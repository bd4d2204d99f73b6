import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorCodes } from "@psapi/openapi";
import { afterAll, describe, expect, it } from "vitest";
import { writeErrorCodePages } from "../scripts/error-codes.mjs";

const committed = join(import.meta.dirname, "..", "site", "errors", "api");
let fresh: string | undefined;
afterAll(async () => {
  if (fresh) await rm(fresh, { recursive: true, force: true });
});

describe("the API error-code pages (site/errors/api/, committed for the CLI's links)", () => {
  it("are what the build writes from the specs today, one page per documented code", async () => {
    fresh = await mkdtemp(join(tmpdir(), "psapi-error-pages-"));
    writeErrorCodePages(fresh);
    const names = (await readdir(fresh)).sort();
    expect(names).toEqual([...errorCodes().map((entry) => `${entry.page}.md`), "index.md"].sort());
    expect((await readdir(committed)).sort(), "run pnpm run docs and commit docs/site/errors/api").toEqual(
      names,
    );
    for (const name of names) {
      expect(await readFile(join(committed, name), "utf8"), name).toBe(
        await readFile(join(fresh, name), "utf8"),
      );
    }
  });
});
