import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "yaml";

/** The OpenAPI files this package ships. */
export const SPEC_NAMES = ["photoshop.yaml", "photoshop-current.yaml", "ims.yaml", "emulator.yaml"] as const;

/** One of {@link SPEC_NAMES}. */
export type SpecName = (typeof SPEC_NAMES)[number];

/**
 * One parsed OpenAPI document. `id` is an absolute URI (the file's `file:` URL for the shipped
 * files) that Ajv registers it under and that relative `$ref`s resolve against.
 */
export interface SpecDocument {
  readonly id: string;
  readonly document: unknown;
}

/*
 * Parsed once per process: a spec file never changes while a process runs, and nothing here is
 * stateful (callers get the same frozen-by-convention object).
 */
const loaded = new Map<SpecName, SpecDocument>();

/**
 * The absolute path of a shipped spec file (inside this package, also when installed from a registry).
 *
 * @param name A file of {@link SPEC_NAMES}.
 * @throws {RangeError} when `name` is not one of them.
 * @example
 * readFileSync(specPath("ims.yaml"), "utf8")
 */
export function specPath(name: SpecName): string {
  if (!(SPEC_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(
      `[@psapi/openapi] no spec named ${JSON.stringify(name)} (known: ${SPEC_NAMES.join(", ")})`,
    );
  }
  return fileURLToPath(new URL(`../${name}`, import.meta.url));
}

/**
 * A shipped spec, parsed from YAML once per process (or read from the parsed copy the build wrote,
 * when that copy was made from the same YAML text).
 *
 * @param name A file of {@link SPEC_NAMES}.
 * @returns The document and its `id` (the file's `file:` URL).
 * @throws {RangeError} when `name` is unknown; an Error when the file cannot be read or parsed.
 * @example
 * const { id, document } = loadSpec("photoshop.yaml");
 * const ajv = createAjv([loadSpec("photoshop.yaml")]);
 */
export function loadSpec(name: SpecName): SpecDocument {
  const cached = loaded.get(name);
  if (cached) return cached;
  const path = specPath(name);
  const text = readFileSync(path, "utf8");
  const spec: SpecDocument = {
    id: pathToFileURL(path).href,
    document: parsedCopy(name, text) ?? parse(text),
  };
  loaded.set(name, spec);
  return spec;
}

/**
 * The build's parsed copy of a spec (dist/parsed/<name>.json, written by scripts/parse-specs.mjs),
 * when it was made from exactly `text`; `undefined` when it is missing, stale or unreadable, and the
 * caller parses the YAML. JSON.parse is about ten times faster than parsing the YAML, which took
 * 0.26 s of every emulator start.
 */
function parsedCopy(name: SpecName, text: string): unknown {
  try {
    const copy = JSON.parse(
      readFileSync(new URL(`../dist/parsed/${name}.json`, import.meta.url), "utf8"),
    ) as { sha256?: unknown; document?: unknown };
    const sha256 = createHash("sha256").update(text).digest("hex");
    return copy.sha256 === sha256 ? copy.document : undefined;
  } catch {
    return undefined;
  }
}
