// ARCHITECTURE.md's "Generated and written by hand" section names files of the repository: every
// one must exist, so that renaming or removing a file without correcting the section fails here.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../../", import.meta.url);
const HEADING = "## Generated and written by hand";

/** The section's text, from its heading up to the next `## ` heading. */
function section(markdown: string): string {
  const start = markdown.indexOf(`\n${HEADING}\n`);
  if (start === -1) throw new Error(`ARCHITECTURE.md has no "${HEADING}" section`);
  const end = markdown.indexOf("\n## ", start + HEADING.length);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** A backtick span that names a file by its extension. */
const FILE_NAME = /\.(?:ts|tsx|mts|js|mjs|json|ya?ml|md)$/;

/**
 * The repository paths written in backticks: spans with a `/` that are not a package specifier
 * (`@psapi/…`) or a URL path (`/__emulator/…`), and bare file names, which are reported as such
 * (a bare name cannot be checked, so the section writes every file as a full path).
 */
function repositoryPaths(text: string): { paths: string[]; bare: string[] } {
  const spans = [...text.matchAll(/`([^`\s]+)`/g)].map(([, span]) => span ?? "");
  return {
    paths: spans.filter((span) => span.includes("/") && !/^[@/]/.test(span)),
    bare: spans.filter((span) => !span.includes("/") && FILE_NAME.test(span)),
  };
}

describe("ARCHITECTURE.md, Generated and written by hand", () => {
  const { paths, bare } = repositoryPaths(section(readFileSync(new URL("ARCHITECTURE.md", ROOT), "utf8")));

  it("names its files as full repository paths", () => {
    // The section names the generated files, their scripts and the hand-written homes: a reading
    // that finds few paths has lost track of the section.
    expect(paths.length).toBeGreaterThan(15);
    expect(bare).toEqual([]);
  });

  it("names only paths that exist", () => {
    expect(paths.filter((path) => !existsSync(new URL(path, ROOT)))).toEqual([]);
  });
});
