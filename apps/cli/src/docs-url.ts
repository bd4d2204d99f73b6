import type { ExitCodeValue } from "./exit-codes.js";

/**
 * The documentation's pages as the repository holds them (`docs/site/`, which `pnpm run docs`
 * builds into the site): the one place the CLI names where its documentation lives. A GitHub
 * address, so that the link works without a hosted site; each page is the site page of that path.
 */
export const DOCS_URL = "https://github.com/psapi/psapi/blob/main/docs/site/";

/**
 * The page that explains an exit code: what it means and what to do (`docs/site/errors/`).
 *
 * @param code - A failure's exit code.
 * @returns The page's URL.
 * @example
 * exitCodePage(ExitCode.auth); // "https://github.com/psapi/psapi/blob/main/docs/site/errors/exit-3.md"
 */
export function exitCodePage(code: ExitCodeValue): string {
  return `${DOCS_URL}errors/exit-${code}.md`;
}

/**
 * The page of an API or IMS error code (`docs/site/errors/api/`, generated from the specs by
 * `@psapi/openapi`'s `errorCodes`, whose `page` names it).
 *
 * @param page - The code's page name, `<spec>-<code>`.
 * @returns The page's URL.
 * @example
 * errorCodePage("photoshop-current-unknown_job_id");
 * // "https://github.com/psapi/psapi/blob/main/docs/site/errors/api/photoshop-current-unknown_job_id.md"
 */
export function errorCodePage(page: string): string {
  return `${DOCS_URL}errors/api/${page}.md`;
}
