import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, isAbsolute, relative, resolve } from "node:path";
import { isLoopback } from "@psapi/core";
import { parse as parseCsv } from "csv-parse/sync";
import { glob } from "tinyglobby";
import { BatchError } from "./errors.js";

/** One input of a batch. */
export interface BatchInput {
  /**
   * Its identity in the journal, stable across runs: the path relative to the directory or glob
   * base, the manifest's `id`, or the input URL without its query (which holds the signature).
   */
  readonly key: string;
  /** A local file (absolute path) or an https URL the API reads. */
  readonly source:
    | { readonly kind: "file"; readonly path: string }
    | { readonly kind: "url"; readonly url: string };
  /** A pre-signed PUT URL the API writes the result to (manifests only). */
  readonly outputUrl?: string;
  /** A template batch's row: the values its `{{column}}` placeholders take (see ./template.ts). */
  readonly values?: Readonly<Record<string, string>>;
}

/** Files a directory contributes: the image types the operations read. */
export const IMAGE_EXTENSIONS = Object.freeze([".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".psd"]);

/**
 * The inputs a `psapi batch` argument names:
 * - a directory: every image in it and below (by extension), in path order;
 * - a `.csv` file: a manifest with a header row and the columns `input` (a URL, or a path relative
 *   to the manifest), optional `output` (a pre-signed PUT URL) and optional `id`;
 * - a `.jsonl` / `.ndjson` file: one `{"input", "output"?, "id"?}` object per line;
 * - anything else: a glob (`photos/*.jpg`), relative to `cwd`.
 *
 * @param spec - The argument as typed.
 * @param cwd - Where relative paths start.
 * @throws TypeError naming the line or the problem for an invalid manifest, duplicate keys, or no input.
 * @example
 * const inputs = await expandInputs("photos/", process.cwd());
 */
export async function expandInputs(spec: string, cwd: string): Promise<BatchInput[]> {
  const path = resolve(cwd, spec);
  const info = await stat(path).catch(() => undefined);
  let inputs: BatchInput[];
  if (info?.isDirectory()) {
    const files = await glob(
      IMAGE_EXTENSIONS.map((ext) => `**/*${ext}`),
      { cwd: path, absolute: true, caseSensitiveMatch: false, onlyFiles: true },
    );
    inputs = files
      .sort()
      .map((file) => ({ key: relative(path, file), source: { kind: "file", path: file } }));
  } else if (info?.isFile() && /\.(csv|jsonl|ndjson)$/i.test(path)) {
    inputs = await readManifest(path);
  } else {
    const files = await glob(spec, { cwd, absolute: true, onlyFiles: true });
    const base = isAbsolute(spec) ? "/" : cwd;
    inputs = files
      .sort()
      .map((file) => ({ key: relative(base, file), source: { kind: "file", path: file } }));
  }
  if (inputs.length === 0) throw new BatchError("invalid-inputs", `${spec} names no input`, { input: spec });
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.key))
      throw new BatchError("invalid-inputs", `two inputs share the key ${input.key}`, { input: input.key });
    seen.add(input.key);
  }
  return inputs;
}

interface ManifestRow {
  input?: unknown;
  output?: unknown;
  id?: unknown;
}

async function readManifest(path: string): Promise<BatchInput[]> {
  const text = await readFile(path, "utf8");
  let rows: ManifestRow[];
  if (/\.csv$/i.test(path)) {
    try {
      rows = parseCsv(text, {
        columns: true,
        skip_empty_lines: true,
        trim: true,
        bom: true,
      }) as ManifestRow[];
    } catch (error) {
      throw new BatchError("invalid-inputs", `${path}: not a valid CSV (${(error as Error).message})`, {
        input: path,
      });
    }
  } else {
    rows = text
      .split("\n")
      .map((line, index) => ({ line: line.trim(), number: index + 1 }))
      .filter(({ line }) => line !== "")
      .map(({ line, number }) => {
        try {
          const row = JSON.parse(line) as unknown;
          if (typeof row !== "object" || row === null || Array.isArray(row)) throw new Error("not an object");
          return row as ManifestRow;
        } catch {
          throw new BatchError("invalid-inputs", `${path} line ${number}: not a JSON object`, {
            input: path,
          });
        }
      });
  }
  const base = dirname(path);
  return rows.map((row, index) => manifestInput(row, `${path} row ${index + 1}`, base));
}

function manifestInput(row: ManifestRow, where: string, base: string): BatchInput {
  if (typeof row.input !== "string" || row.input === "") {
    throw new BatchError("invalid-inputs", `${where}: "input" is required (a URL or a file path)`);
  }
  const outputUrl = optionalString(row.output, `${where}: "output"`);
  if (outputUrl !== undefined) httpsUrl(outputUrl, `${where}: "output"`);
  const id = optionalString(row.id, `${where}: "id"`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(row.input)) {
    const url = httpsUrl(row.input, `${where}: "input"`);
    return {
      key: id ?? `${url.origin}${url.pathname}`,
      source: { kind: "url", url: url.href },
      ...(outputUrl !== undefined && { outputUrl }),
    };
  }
  const file = resolve(base, row.input);
  return {
    key: id ?? relative(base, file),
    source: { kind: "file", path: file },
    ...(outputUrl !== undefined && { outputUrl }),
  };
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new BatchError("invalid-inputs", `${what} must be a string`);
  return value;
}

function httpsUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BatchError("invalid-inputs", `${what} is not a valid URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url))) {
    throw new BatchError("invalid-inputs", `${what} must be https (plain http only to this machine)`);
  }
  return url;
}

/**
 * A short, stable name for an input's storage objects: its key hashed (a key can hold any
 * character, and a URL key must not be re-exposed in a storage path).
 */
export function inputDigest(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 20);
}

/** The local result file of an input: its key's name without extension, plus the operation's suffix. */
export function resultFileName(input: BatchInput, suffix: string): string {
  const name = input.key.replace(/[?#].*$/, "");
  const stem = name.slice(0, name.length - extname(name).length);
  // A key may hold directories (a folder's tree) or a URL: keep the tree, flatten anything else.
  const safe =
    input.source.kind === "file" && !isAbsolute(stem) && !stem.startsWith("..")
      ? stem
      : inputDigest(input.key);
  return `${safe}${suffix}`;
}
