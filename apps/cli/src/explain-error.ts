import { ImsError } from "@psapi/auth";
import { JobFailedError, JobTimeoutError, PhotoshopApiError, RetiredOperationError } from "@psapi/client";
import { isLoopback } from "@psapi/core";
import { type ErrorCodeEntry, errorCodeFor, errorCodes } from "@psapi/openapi/error-codes";
import { CliError, problemOf } from "./cli-error.js";
import { errorCodePage } from "./docs-url.js";
import { ExitCode } from "./exit-codes.js";
import { retiredOperationError } from "./retired-command.js";
import { DeadlineExceededError } from "./run-signal.js";
import { CREDENTIALS_HINT, laterStatusCommand, type Target } from "./target.js";
import type { NetworkFailure } from "./tracked-fetch.js";

/** What to do about a refused token. */
const TOKEN_HINT =
  "the token is invalid or expired: get a new one for PHOTOSHOP_ACCESS_TOKEN, or set PHOTOSHOP_CLIENT_ID and " +
  "PHOTOSHOP_CLIENT_SECRET so that psapi fetches fresh ones";

/**
 * Turns anything a command threw into one line, a hint and an exit code. A failure the CLI does
 * not know is a bug, not the user's mistake: it says so and points at `PSAPI_DEBUG=1`.
 *
 * @param error - What was thrown.
 * @param options - The run's Ctrl-C signal, and the target when one was opened (for host names).
 * @returns The {@link CliError} to print and exit with.
 * @example
 * const failure = explainError(error, { signal, target });
 * process.exitCode = failure.exitCode;
 */
export function explainError(
  error: unknown,
  options: { signal: AbortSignal; target: Target | undefined },
): CliError {
  if (error instanceof CliError) return error;
  if (options.signal.reason instanceof DeadlineExceededError) {
    return explainDeadline(options.signal.reason, options.target, error);
  }
  if (options.signal.aborted)
    return new CliError("interrupted", { exitCode: ExitCode.interrupted, cause: error });
  if (error instanceof PhotoshopApiError) return explainApiError(error, options.target);
  if (error instanceof ImsError) return explainImsError(error, options.target);
  // Only on Adobe's own host: the endpoint is gone there, and calling again cannot help.
  if (error instanceof RetiredOperationError) return retiredOperationError(error);
  if (error instanceof JobFailedError) {
    const first = error.errors[0];
    const reasons = serviceReasons(first?.details);
    return new CliError(
      `job ${error.jobId} failed (${error.summary ?? "no reason given"})${reasons.length > 0 ? `: ${reasons.join("; ")}` : ""}`,
      { hint: jobFailureHint(first?.type ?? first?.errorCode, reasons.length > 0), cause: error },
    );
  }
  if (error instanceof JobTimeoutError) {
    const later = laterStatusCommand(error.statusUrl, options.target);
    return new CliError(`job ${error.jobId} did not finish within ${Math.round(error.timeoutMs / 1000)} s`, {
      exitCode: ExitCode.network,
      hint: `raise --timeout${later === undefined ? "" : `, or look at it later with: ${later}`}`,
      cause: error,
    });
  }
  const failure = options.target?.network.lastFailure();
  if (failure !== undefined && error instanceof TypeError) {
    return explainNetworkFailure(failure, options.target, error);
  }
  const problem = problemOf(error);
  if (error instanceof TypeError && problem !== undefined) {
    // The packages' own option checks, e.g. a malformed PHOTOSHOP_IMS_URL.
    return new CliError(problem, {
      exitCode: ExitCode.usage,
      hint: "fix the value named above (see psapi --help)",
      cause: error,
    });
  }
  if (isFileSystemError(error)) {
    // A file that was fine when checked went away or filled the disk during the run.
    return new CliError(`cannot ${error.syscall} ${error.path} (${error.code})`, {
      exitCode: PATH_PROBLEMS.has(error.code) ? ExitCode.usage : ExitCode.apiFailure,
      hint: "check the path, its permissions and the free disk space",
      cause: error,
    });
  }
  const message = problem ?? (error instanceof Error ? error.message : String(error));
  return new CliError(`unexpected failure: ${message}`, {
    hint: "run again with PSAPI_DEBUG=1 to see the stack trace, and report it",
    cause: error,
  });
}

/**
 * The command's `--timeout` ran out: names the host that kept psapi waiting, when a request was in
 * flight, since "timed out" alone does not say whether the server, the network or the job was slow.
 */
function explainDeadline(
  deadline: DeadlineExceededError,
  target: Target | undefined,
  error: unknown,
): CliError {
  const host = target?.network.lastAbandoned();
  return new CliError(
    host === undefined ? deadline.message : `no answer from ${host} within ${deadline.seconds} s (--timeout)`,
    {
      exitCode: ExitCode.network,
      hint:
        host === undefined
          ? "raise --timeout"
          : `check that ${host} is the right address and that its server answers, or raise --timeout`,
      cause: error,
    },
  );
}

/** What a system error code means, for the one line of a network failure. */
const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused: nothing listens on that port",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host name could not be looked up",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "the connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
};

/** Codes of a TLS handshake that got a plain-http answer: an https URL to an http server. */
const TLS_TO_PLAIN_HTTP = new Set([
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
  "EPROTO",
]);

/**
 * The one wording of a request that got no response, whatever made it (the API client, IMS, the
 * emulator's storage) and whichever command: `cannot reach <host>: <why> (<code>)`, and a hint that
 * names where that host came from (`--base-url`, an environment variable, a default).
 */
function explainNetworkFailure(
  failure: NetworkFailure,
  target: Target | undefined,
  cause: unknown,
): CliError {
  const { host, reason } = failure;
  const source =
    target === undefined
      ? undefined
      : [target.sources.api, target.sources.ims].find((candidate) => candidate?.host === host);
  const from = source === undefined ? "" : `${host} comes from ${source.from}: `;
  if (TLS_TO_PLAIN_HTTP.has(reason)) {
    return new CliError(`cannot reach ${host} over https: it answers in plain http (${reason})`, {
      exitCode: ExitCode.network,
      hint: `${from}use http://${host} (a local emulator speaks plain http), or the server's https address`,
      cause,
    });
  }
  const meaning = NETWORK_REASONS[reason];
  return new CliError(`cannot reach ${host}: ${meaning === undefined ? reason : `${meaning} (${reason})`}`, {
    exitCode: ExitCode.network,
    hint:
      reason === "ECONNREFUSED" && isLoopback(new URL(`http://${host}`))
        ? `${from}check the port, and that the emulator runs (psapi emulator --port ${new URL(`http://${host}`).port || 80})`
        : `${from}check the address, that the server runs, and your network connection`,
    cause,
  });
}

/**
 * The service's own reasons from an error's `details`, which Adobe sends as a list of
 * `{name, reason}`, one such object, or a string: "the image is 20000 x 20000 px, over the limit of
 * 10000 x 10000 px" says more than any hint can.
 */
function serviceReasons(details: unknown): string[] {
  const list = Array.isArray(details) ? details : [details];
  return list.flatMap((detail) => {
    if (typeof detail === "string") return detail.trim() ? [detail.trim()] : [];
    if (detail === null || typeof detail !== "object") return [];
    const { reason } = detail as { reason?: unknown };
    return typeof reason === "string" && reason.trim() ? [reason.trim()] : [];
  });
}

/** Error codes that mean the path itself is wrong (a usage mistake), not the disk. */
const PATH_PROBLEMS = new Set(["ENOENT", "EACCES", "EPERM", "EROFS", "EISDIR", "ENOTDIR"]);

function isFileSystemError(error: unknown): error is Error & { code: string; syscall: string; path: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { syscall?: unknown }).syscall === "string" &&
    typeof (error as { path?: unknown }).path === "string"
  );
}

function jobFailureHint(type: string | undefined, saidWhy: boolean): string {
  switch (type) {
    case "FileLinkInvalidError":
    case "ResourceNotFound":
    case "InputFileExistsErrors":
      return (
        "the service could not read the input or write the output: check that the URLs exist, are " +
        "pre-signed for GET (input) and PUT (output), and have not expired"
      );
    case "FileOverwriteError":
      return "the output already exists and may not be overwritten: choose another output URL";
    case "emulator_unsupported_action":
    case "emulator_unsupported_script":
      return "the offline emulator plays a subset of ActionJSON and no .atn set or UXP script (see @psapi/mock-server's README, Execute actions); Adobe's API runs them";
    default:
      return saidWhy
        ? "the service said why, above: fix the input (JPEG, PNG or TIFF, at most 10000 px a side; also PSD for manifest)"
        : "the input may not be an image the service accepts (JPEG, PNG or TIFF; also PSD for manifest)";
  }
}

function explainApiError(error: PhotoshopApiError, target: Target | undefined): CliError {
  const host = new URL(error.request.url, "http://unknown").host;
  // Adobe's own words, already redacted: its error code or type, then what it said ("401013: Oauth
  // token is not valid", or a 400's first validation problem); the code and title alone otherwise.
  const label = error.errorCode ?? error.type;
  const said =
    label !== undefined && label !== error.adobeMessage
      ? [label, error.adobeMessage?.slice(0, 300)].filter((part) => part !== undefined).join(": ")
      : [label, error.title].filter((part) => part !== undefined).join(": ");
  const reasons = serviceReasons(error.details).filter((reason) => !said.includes(reason));
  const why = `${error.status}${said ? ` ${said}` : ""}${reasons.length > 0 ? `: ${reasons.join("; ")}` : ""}`;
  // The page of the code the specs document for this operation; a code they do not know gets the
  // exit code's page.
  const page = label === undefined ? undefined : codePage(() => errorCodeFor(label, error.request));
  const cause = { cause: error, ...(page !== undefined && { docs: errorCodePage(page) }) };
  switch (error.status) {
    case 0:
      return explainNetworkFailure(
        target?.network.lastFailure() ?? { host, reason: "no answer in time" },
        target,
        error,
      );
    case 401:
      return new CliError(`the API refused the access token (${why})`, {
        exitCode: ExitCode.auth,
        hint: TOKEN_HINT,
        ...cause,
      });
    case 402:
      return new CliError(`the trial quota is used up (${why})`, {
        hint: "the free-trial allowance of this project is exhausted: wait for it to renew, or ask your Adobe account manager for a paid plan",
        ...cause,
      });
    case 403:
      return new CliError(`the API refused the API key (${why})`, {
        exitCode: ExitCode.auth,
        hint: "check that PHOTOSHOP_CLIENT_ID is the client id of a Developer Console project with the Photoshop API",
        ...cause,
      });
    case 429:
      return new CliError(`too many requests (${why})`, {
        hint: `the rate limit was hit even after retries: wait${error.retryAfterMs === undefined ? "" : ` ${Math.ceil(error.retryAfterMs / 1000)} s`} and try again`,
        ...cause,
      });
    case 404:
      return new CliError(`${error.request.method} ${error.request.url} found nothing (${why})`, {
        hint: "check the URL or job id; an emulator forgets its jobs when it restarts",
        ...cause,
      });
    default:
      return new CliError(`${error.request.method} ${error.request.url} failed (${why})`, {
        hint:
          error.status >= 500
            ? "the service had a bad moment: try again in a minute"
            : "check the input and output URLs (reachable, not expired) and the options",
        ...cause,
      });
  }
}

/**
 * The page name of a documented error code, or undefined. Reading the specs is the last step of
 * explaining a failure: should it fail (a damaged install), the failure is still told in one line,
 * with its exit code's page.
 */
function codePage(find: () => ErrorCodeEntry | undefined): string | undefined {
  try {
    return find()?.page;
  } catch {
    return undefined;
  }
}

function explainImsError(error: ImsError, target: Target | undefined): CliError {
  const page = codePage(() =>
    errorCodes().find((entry) => entry.spec === "ims.yaml" && entry.code === error.error),
  );
  const docs = page === undefined ? {} : { docs: errorCodePage(page) };
  if (error.error === "network_error" || error.error === "timeout") {
    const failure = target?.network.lastFailure() ?? {
      host: target?.sources.ims?.host ?? "the IMS server",
      reason: error.error === "timeout" ? "no answer in time" : error.error,
    };
    return explainNetworkFailure(failure, target, error);
  }
  if (error.error === "invalid_token" || error.error === "expired_token") {
    // A ready-made token (PHOTOSHOP_ACCESS_TOKEN) was refused with a 401, or has expired.
    return new CliError(`the access token was refused or has expired (${error.error})`, {
      exitCode: ExitCode.auth,
      hint: TOKEN_HINT,
      cause: error,
      ...docs,
    });
  }
  return new CliError(`IMS refused the credentials (${error.error}: ${error.errorDescription})`, {
    exitCode: ExitCode.auth,
    hint:
      error.error === "invalid_client"
        ? "check PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET"
        : CREDENTIALS_HINT,
    cause: error,
    ...docs,
  });
}
