import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const srcDir = fileURLToPath(new URL(".", import.meta.url));

/**
 * Ways of reading another package's error text instead of its fields: a regex or string test on a
 * `[@psapi/…]` prefix, and `.replace`/`.startsWith`/`.match`/`.exec`/`.test` on an error's message.
 */
const PARSING = [
  /\\\[@psapi/, // a regex literal over a package prefix, e.g. /^\[@psapi\/batch\]/
  /["'`]\[@psapi\//, // a string test on one, e.g. startsWith("[@psapi/")
  /\.message\s*\.\s*(replace|startsWith|endsWith|match|includes|split|slice)\(/,
  /\.(exec|test|match)\([^)]*\.message\b/,
];

/** Lines that parse text on purpose, by file and a piece of the line, each with why it may. */
const ALLOWED: ReadonlyArray<readonly [file: string, piece: string]> = [
  // commander's own parse errors: a third-party message with no field for the text after "error:".
  ["run.ts", "error.message.replace(/^error:"],
  // The CLI's own argument checks (validate.ts) end their sentence with a full stop.
  ["options.ts", ".message.replace(/\\.$/"],
  ["commands/fill.ts", ".message.replace(/\\.$/"],
  ["commands/composite.ts", ".message.replace(/\\.$/"],
  ["document-job.ts", ".message.replace(/\\.$/"],
  ["actions-job.ts", ".message.replace(/\\.$/"],
  ["batch/run-batch.ts", ".message.replace(/\\.$/"],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "testing" ? [] : sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("the CLI's source", () => {
  it("words errors from their fields: no regex or prefix test over another package's message", () => {
    const found: string[] = [];
    for (const path of sources(srcDir)) {
      const file = relative(srcDir, path);
      readFileSync(path, "utf8")
        .split("\n")
        .forEach((line, index) => {
          const code = line.trim();
          if (code.startsWith("//") || code.startsWith("*")) return;
          if (!PARSING.some((pattern) => pattern.test(code))) return;
          const allowed = ALLOWED.some(([where, piece]) => where === file && code.includes(piece));
          if (!allowed) found.push(`${file}:${index + 1}: ${code}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("would catch the message parsing it forbids", () => {
    const samples = [
      'const strip = (message: string) => message.replace(/^\\[@psapi\\/[a-z-]+\\]\\s*/, "");',
      'if (error instanceof TypeError && error.message.startsWith("[@psapi/")) {',
      "const said = /failed with \\d+\\s+(.+)$/.exec(error.message)?.[1];",
    ];
    for (const sample of samples) expect(PARSING.some((pattern) => pattern.test(sample))).toBe(true);
  });
});
