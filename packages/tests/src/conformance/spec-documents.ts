import { loadSpec, SPEC_NAMES, type SpecDocument, type SpecName } from "@psapi/openapi";

export type { SpecDocument };

/**
 * The descriptions that `@psapi/openapi` ships: the Photoshop API's retired and current contracts,
 * IMS, the emulator's control API (`SPEC_NAMES`, which `@psapi/openapi`'s tests hold equal to the
 * YAML files it exports).
 */
export const PSAPI_SPEC_FILES: readonly SpecName[] = SPEC_NAMES;

/**
 * `@psapi/openapi`'s YAML files, parsed by its `loadSpec` (the files the package publishes).
 *
 * @param files Which of the package's files to load; all of them by default.
 * @returns One {@link SpecDocument} per file, its `id` the file's `file:` URL.
 * @throws When a name is not one of the package's files.
 * @example
 * const checker = createConformanceChecker(loadPsapiSpecs());
 * @see https://spec.openapis.org/oas/v3.1.0
 */
export function loadPsapiSpecs(files: readonly SpecName[] = PSAPI_SPEC_FILES): SpecDocument[] {
  return files.map(loadSpec);
}
