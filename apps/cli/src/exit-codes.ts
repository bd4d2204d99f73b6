/**
 * The exit codes of `psapi`, documented in the README. Scripts branch on them, so they never change
 * meaning.
 */
export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /** The API answered with an error, or the job failed. */
  apiFailure: 1,
  /** The command line is wrong: an unknown option, a missing file, an invalid URL or number. */
  usage: 2,
  /** Credentials are missing or were refused (IMS error, 401, 403). */
  auth: 3,
  /** The target could not be reached, or the wait ran out of time. */
  network: 4,
  /** Ctrl-C (SIGINT) stopped the command. 128 + signal number 2, as shells report it. */
  interrupted: 130,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
