// The API error codes pages (site/errors/api/, committed so that the CLI's links to them work on
// GitHub): every error code the OpenAPI files give as an example answer (@psapi/openapi's
// errorCodes, which the CLI links its failures with), one page each, with the statuses and
// operations that answer it and the example's message, plus what to do, from ADVICE below (by
// code, else by status). A new code in a spec gets its page on the next build, and the docs test
// fails until it is committed.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorCodes } from "@psapi/openapi";

/** What to do, by HTTP status (the fallback when a code has no advice of its own). */
const BY_STATUS = {
  400: "Fix the request: the message (and `errors`/`validation_errors`, when present) names the field. The client's types catch most of these at compile time.",
  401: "Get a new token: it is missing, malformed, expired or revoked. With `createServerToServerAuth` or `authFromEnv`, check `PHOTOSHOP_CLIENT_ID` and `PHOTOSHOP_CLIENT_SECRET`; the auth refreshes tokens ahead of expiry by itself.",
  402: "The trial quota of this project is used up: wait for the period to end (the answer's `X-Access-Applied-Until-Date`), or move the project to a paid plan.",
  403: "Check that the `x-api-key` (the client id) belongs to a Developer Console project with the Photoshop API, and that the token was issued to that client.",
  404: "Check the job id or the URL: a job id comes from the 202 of its submission; an emulator forgets its jobs when it restarts.",
  405: "Use the method the HTTP reference gives for this path.",
  413: "Send a smaller body or image.",
  415: "Send `Content-Type: application/json` (the client does).",
  422: "The request is well-formed but cannot be done: read the message and the `errors` list.",
  429: "Slow down: wait the `Retry-After` seconds. The client retries 429s itself; in a batch, use `createRateLimitedFetch` with `ADOBE_RATE_RULES` so that they do not happen.",
  431: "Send fewer or smaller headers.",
  500: "The service failed: try again later; the client retries idempotent calls. If it repeats with the same input, the input may be what it cannot handle.",
  502: "A gateway between you and the service failed: try again (the client retries it).",
  503: "The service is unavailable for a moment: try again after `Retry-After` (the client does).",
  504: "The service did not answer in time: try again (the client retries it).",
};

/** Advice for codes the status alone does not explain. */
const ADVICE = {
  unknown_job_id:
    "The job id is not one this service knows: check it, and poll the status URL the submission returned. An emulator forgets its jobs when it restarts or is reset.",
  emulator_unsupported:
    "The emulator does not implement this feature of the request (the message names it and its JSON path). Adobe's service may accept it: test that part against Adobe, or leave it out offline.",
  processing_error:
    "The job failed while running: the input could not be processed (not an image the service reads, too large, or a URL that expired). Check the input URL and the image.",
  TrialLimitExceededError: BY_STATUS[402],
  FileLinkInvalidError:
    "The service could not read an input or write an output URL: check that each URL exists, is pre-signed for GET (input) or PUT (output), and has not expired.",
  FileOverwriteError: "The output already exists and may not be overwritten: choose another output URL.",
  InputFileExistsErrors: "An input file the job needs is missing or unreadable: check the input URLs.",
  ForbiddenError:
    "The emulator's control API refused the call: it answers loopback peers under a loopback Host only (unless `--expose-control`), and a browser's state-changing call must be same-origin.",
  invalid_client:
    "IMS does not know this client id and secret: check `PHOTOSHOP_CLIENT_ID` and `PHOTOSHOP_CLIENT_SECRET`.",
  invalid_scope:
    "Ask IMS only for scopes the client has (the default scopes of `createServerToServerAuth` fit the Photoshop API).",
  invalid_grant:
    "The code or refresh token is invalid, used or expired: refresh tokens rotate, so use the newest one; start the login again if needed.",
  unsupported_grant_type:
    "Use `client_credentials` (server-to-server), `authorization_code` or `refresh_token`.",
  invalid_token: "The token is invalid or expired: get a new one.",
  invalid_signature:
    "The JWT's signature does not verify: the private key does not belong to the credential. JWT credentials ended on 30 June 2025: move to server-to-server.",
};

/** How each spec is named on the site: its label and its HTTP reference page. */
const SPECS = {
  "photoshop-current.yaml": { label: "Photoshop API (current)", http: "photoshop-current" },
  "photoshop.yaml": { label: "Photoshop API v1 (retired)", http: "photoshop" },
  "ims.yaml": { label: "Adobe IMS", http: "ims" },
  "emulator.yaml": { label: "Emulator control API", http: "emulator" },
};

const cell = (text) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * Writes `<out>/<spec>-<code>.md` for every code and `<out>/index.md`, the table of them all.
 *
 * @param {string} out - The folder (the site's `errors/api/`).
 * @returns {number} How many codes.
 */
export function writeErrorCodePages(out) {
  mkdirSync(out, { recursive: true });
  const order = Object.keys(SPECS);
  const entries = [...errorCodes()].sort(
    (a, b) => order.indexOf(a.spec) - order.indexOf(b.spec) || a.code.localeCompare(b.code),
  );
  for (const entry of entries) {
    const statuses = entry.statuses;
    const spec = SPECS[entry.spec];
    const advice = ADVICE[entry.code] ?? statuses.map((status) => BY_STATUS[status]).find(Boolean);
    if (!advice) throw new Error(`no advice for ${entry.code} (${statuses.join(", ")}): add it to ADVICE`);
    const operations = [...entry.operations].sort().map((operation) => `- \`${operation}\``);
    const messages = [...entry.messages].map((message) => `- ${cell(message)}`);
    writeFileSync(
      join(out, `${entry.page}.md`),
      `# \`${entry.code}\` (${spec.label})\n\n` +
        `HTTP ${statuses.join(", ")}. Generated from \`openapi/${entry.spec}\`; see the operations in the [HTTP reference](/http/${spec.http}.html){target="_self"}.\n\n` +
        `## What to do\n\n${advice}\n\n` +
        `## Answered by\n\n${operations.join("\n")}\n\n` +
        `## Example messages\n\n${messages.join("\n")}\n\n` +
        "With `psapi`, an error answer ends the command with exit code 1, 3 (401, 403) or 4: see [Errors](../index.md).\n",
    );
  }
  const rows = entries.map(
    (entry) =>
      `| [\`${entry.code}\`](./${entry.page}.md) | ${SPECS[entry.spec].label} | ${entry.statuses.join(", ")} |`,
  );
  writeFileSync(
    join(out, "index.md"),
    "# API error codes\n\nEvery error code the OpenAPI files give as an example answer, generated from them. " +
      "The client's `PhotoshopApiError` carries it as a field (`errorCode` for `error_code` bodies, `type` and `code` for the service family); `ImsError` carries IMS's as `error`.\n\n" +
      `| code | API | HTTP |\n| --- | --- | --- |\n${rows.join("\n")}\n`,
  );
  return entries.length;
}
