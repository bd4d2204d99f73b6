// Every package README's export table names exactly what the package's `src/index.ts` exports:
// a name added to the index without a row, or a row left behind by a removed export, fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../../", import.meta.url);

/** The packages with a main entry, by folder: each README has an `…exports…` section. */
const PACKAGES = [
  "packages/core",
  "packages/auth",
  "packages/client",
  "packages/batch",
  "apps/mock-server",
  "openapi",
];

/**
 * The names `index.ts` exports. The house rule is that an index only re-exports
 * (`export { a, type B } from "…"`, `export type { C } from "…"`); any other export form is
 * reported, since this reading would miss its names.
 */
function indexExports(source: string): Set<string> {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const names = new Set<string>();
  const list = /export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["'][^"']+["'];?/g;
  for (const [, body] of code.matchAll(list)) {
    for (const item of (body ?? "").split(",")) {
      const words = item.trim().replace(/^type\s+/, "");
      if (words === "") continue;
      const alias = / as\s+([\w$]+)$/.exec(words);
      names.add(alias?.[1] ?? words);
    }
  }
  const other = code.replace(list, "").match(/^\s*export\b.*$/gm);
  if (other !== null)
    throw new Error(`index.ts has exports that are not re-export lists: ${other.join("; ")}`);
  return names;
}

/** The leading identifier of each backtick span in `cell` (`createEmulator(options)` → `createEmulator`). */
function spanNames(cell: string): string[] {
  return [...cell.matchAll(/`([^`]*)`/g)].flatMap(([, span]) => /^[A-Za-z_$][\w$]*/.exec(span ?? "") ?? []);
}

/**
 * The names in a README's export tables: every table in a section whose heading says "export"
 * (up to the next heading). A row names its exports in backticks in its first cell, or, when the
 * first cell has none (a "Types" row), in its second.
 */
function readmeExports(markdown: string): Set<string> {
  const names = new Set<string>();
  let inSection = false;
  for (const line of markdown.split("\n")) {
    if (/^#{1,6}\s/.test(line)) {
      inSection = /\bexports?\b/i.test(line);
      continue;
    }
    if (!inSection || !line.startsWith("|") || /^\|\s*-+/.test(line)) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1);
    const first = spanNames(cells[0] ?? "");
    for (const name of first.length > 0 ? first : spanNames(cells[1] ?? "")) names.add(name);
  }
  return names;
}

describe("README export tables", () => {
  it("read re-export lists and table rows as intended", () => {
    expect([
      ...indexExports(
        '// c\nexport { a, type B, c as d } from "./x.js";\nexport type {\n  E,\n  F,\n} from "y";\n',
      ),
    ]).toEqual(["a", "B", "d", "E", "F"]);
    expect(() => indexExports("export const x = 1;\n")).toThrow(/not re-export lists/);
    const readme = [
      "## Example",
      "| `notThis` | x |",
      "## Exports",
      "| export | what |",
      "| --- | --- |",
      "| `make(options)`, `MakeOptions` | the factory |",
      "| Types | `A` (`{ b }`), `C`. |",
      "## Next",
      "| `notThisEither` | y |",
    ].join("\n");
    expect([...readmeExports(readme)]).toEqual(["make", "MakeOptions", "A", "C"]);
  });

  it.each(PACKAGES)("%s/README.md lists exactly what src/index.ts exports", (folder) => {
    const exported = indexExports(readFileSync(new URL(`${folder}/src/index.ts`, ROOT), "utf8"));
    const listed = readmeExports(readFileSync(new URL(`${folder}/README.md`, ROOT), "utf8"));
    expect({
      missingFromReadme: [...exported].filter((name) => !listed.has(name)).sort(),
      notExported: [...listed].filter((name) => !exported.has(name)).sort(),
    }).toEqual({ missingFromReadme: [], notExported: [] });
  });
});
