import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";

/**
 * One OpenAPI document as the conformance checker takes it: `id` is an absolute URI that relative
 * `$ref`s in this or another document resolve against (a `file:` URL for the files on disk).
 */
export interface SpecDocument {
  readonly id: string;
  readonly document: unknown;
}

/**
 * The descriptions that `@psapi/openapi` ships: the Photoshop API's retired and current contracts,
 * IMS, the emulator's control API.
 */
export const PSAPI_SPEC_FILES = [
  "photoshop.yaml",
  "photoshop-current.yaml",
  "ims.yaml",
  "emulator.yaml",
] as const;

/**
 * Reads `@psapi/openapi`'s YAML files through the package's `exports` map (never by a relative path
 * into another package), so the suite checks exactly what the package publishes.
 *
 * @param files Which of the package's files to load; all of them by default.
 * @returns One {@link SpecDocument} per file, its `id` the file's `file:` URL.
 * @throws When a file is missing from the package or is not valid YAML.
 * @example
 * const checker = createConformanceChecker(loadPsapiSpecs());
 * @see https://spec.openapis.org/oas/v3.1.0
 */
export function loadPsapiSpecs(files: readonly string[] = PSAPI_SPEC_FILES): SpecDocument[] {
  const require = createRequire(import.meta.url);
  return files.map((file) => {
    const path = require.resolve(`@psapi/openapi/${file}`);
    return { id: pathToFileURL(path).href, document: parse(readFileSync(path, "utf8")) as unknown };
  });
}

/**
 * Every OpenAPI file `@psapi/openapi` exports (its `exports` map), so a suite that must cover the
 * whole spec picks up a new file without a change here.
 *
 * @returns The file names, e.g. `["photoshop.yaml", "ims.yaml", …]`.
 * @example
 * const documents = loadPsapiSpecs(exportedSpecFiles());
 */
export function exportedSpecFiles(): string[] {
  const require = createRequire(import.meta.url);
  const manifest = JSON.parse(readFileSync(require.resolve("@psapi/openapi/package.json"), "utf8")) as {
    exports?: Record<string, unknown>;
  };
  return Object.keys(manifest.exports ?? {})
    .filter((key) => key.endsWith(".yaml"))
    .map((key) => key.replace(/^\.\//, ""));
}
