import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { publicPackages } from "../../scripts/check-packages.mjs";

const docs = join(import.meta.dirname, "..");

describe("the API reference's packages (typedoc.json)", () => {
  it("are exactly the workspace's public packages, so a new one cannot be left out", () => {
    const config = JSON.parse(readFileSync(join(docs, "typedoc.json"), "utf8")) as { entryPoints: string[] };
    const documented = config.entryPoints.map((entry) => relative(docs, resolve(docs, entry))).sort();
    const published = publicPackages()
      .map(({ dir }: { dir: string }) => relative(docs, dir))
      .sort();
    expect(documented).toEqual(published);
  });
});
