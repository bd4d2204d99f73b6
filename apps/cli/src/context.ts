import type { OutputStream } from "./output.js";

/**
 * Everything a command reads from its process, passed in so that one place (`cli.ts`) touches
 * `process` and the rest can be driven by a test.
 */
export interface CliContext {
  /** The environment: credentials, `PHOTOSHOP_API_URL`, `PHOTOSHOP_IMS_URL`, `PSAPI_DEBUG`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Aborts on Ctrl-C: every request and wait takes it. */
  readonly signal: AbortSignal;
  /** The directory relative paths start from. */
  readonly cwd: string;
  /** Milliseconds since the epoch (progress, token expiry). */
  readonly now: () => number;
}
