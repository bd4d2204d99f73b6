import { ImsError } from "@psapi/auth";
import { JobFailedError, JobTimeoutError, PhotoshopApiError, RetiredOperationError } from "@psapi/client";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";
import { CREDENTIALS_HINT, laterStatusCommand, type Target } from "./target.js";

/** What to do about a refused token. */
const TOKEN_HINT =
  "the token is invalid or expired: get a new one for PHOTOSHOP_ACCESS_TOKEN, or set PHOTOSHOP_CLIENT_ID and " +
  "PHOTOSHOP_CLIENT_SECRET so that psapi fetches fresh ones";

/** Package prefixes (`[@psapi/client] `) are for library users; the CLI speaks for itself. */
const stripPrefix = (message: string) => message.replace(/^\[@psapi\/[a-z-]+\]\s*/, "");

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
  if (options.signal.aborted)
    return new CliError("interrupted", { exitCode: ExitCode.interrupted, cause: error });
  if (error instanceof PhotoshopApiError) return explainApiError(error, options.target);
  if (error instanceof ImsError) return explainImsError(error, options.target);
  if (error instanceof RetiredOperationError) {
    // Only on Adobe's own host: the endpoint is gone there, and calling again cannot help.
    return new CliError(stripPrefix(error.message), {
      exitCode: ExitCode.usage,
      hint: "psapi token checks credentials; the current commands are remove-background, mask-objects and fill",
      cause: error,
    });
  }
  if (error instanceof JobFailedError) {
    const first = error.errors[0];
    // Adobe's three shapes: retired {type, title}, v2 {errorCode, message}, masking {error_code, message}.
    const details =
      first === undefined
        ? "no reason given"
        : `${first.type ?? first.errorCode ?? first.error_code}: ${first.title ?? first.message}`;
    return new CliError(`job ${error.jobId} failed (${details})`, {
      hint: jobFailureHint(first?.type),
      cause: error,
    });
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
    return new CliError(`cannot reach ${failure.host} (${failure.reason})`, {
      exitCode: ExitCode.network,
      hint: "check the URL, that the server runs, and your network connection",
      cause: error,
    });
  }
  if (error instanceof TypeError && error.message.startsWith("[@psapi/")) {
    // The packages' own option checks, e.g. a malformed PHOTOSHOP_IMS_URL.
    return new CliError(stripPrefix(error.message), {
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
  const message = error instanceof Error ? stripPrefix(error.message) : String(error);
  return new CliError(`unexpected failure: ${message}`, {
    hint: "run again with PSAPI_DEBUG=1 to see the stack trace, and report it",
    cause: error,
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

function jobFailureHint(type: string | undefined): string {
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
    default:
      return "the input may not be an image the service accepts (JPEG, PNG or TIFF; also PSD for manifest)";
  }
}

function explainApiError(error: PhotoshopApiError, target: Target | undefined): CliError {
  const host = new URL(error.request.url, "http://unknown").host;
  // Adobe's own words: the client's message ends with them ("… failed with 401 401013: Oauth token
  // is not valid", or a 400's first validation problem), already redacted; the fields are the fallback.
  const said =
    /failed with \d+\s+(.+)$/.exec(error.message)?.[1] ??
    [error.errorCode ?? error.type, error.title].filter((part) => part !== undefined).join(": ");
  const why = `${error.status}${said ? ` ${said}` : ""}`;
  const cause = { cause: error };
  switch (error.status) {
    case 0:
      return new CliError(
        `cannot reach ${host} (${target?.network.lastFailure()?.reason ?? "no answer in time"})`,
        {
          exitCode: ExitCode.network,
          hint: "check the URL, that the server runs, and your network connection",
          ...cause,
        },
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

function explainImsError(error: ImsError, target: Target | undefined): CliError {
  if (error.error === "network_error" || error.error === "timeout") {
    const host = target?.network.lastFailure()?.host ?? "the IMS server";
    return new CliError(`cannot reach ${host} to get a token (${error.error})`, {
      exitCode: ExitCode.network,
      hint: "check PHOTOSHOP_IMS_URL (if set) and your network connection",
      cause: error,
    });
  }
  if (error.error === "invalid_token" || error.error === "expired_token") {
    // A ready-made token (PHOTOSHOP_ACCESS_TOKEN) was refused with a 401, or has expired.
    return new CliError(`the access token was refused or has expired (${error.error})`, {
      exitCode: ExitCode.auth,
      hint: TOKEN_HINT,
      cause: error,
    });
  }
  return new CliError(`IMS refused the credentials (${error.error}: ${error.errorDescription})`, {
    exitCode: ExitCode.auth,
    hint:
      error.error === "invalid_client"
        ? "check PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET"
        : CREDENTIALS_HINT,
    cause: error,
  });
}
