import type { CliError } from "./cli-error.js";
import { exitCodePage } from "./docs-url.js";

/** The part of a stream the CLI writes to: `process.stdout` and `process.stderr` fit. */
export interface OutputStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Where a command's words go. Results go to stdout (one JSON document with `--json`); everything
 * about the run (the target line, progress, errors) goes to stderr, so piping stdout keeps only data.
 */
export interface Output {
  /** The standard error stream, for progress lines. */
  readonly stderr: OutputStream;
  /** A line about the run, on stderr. */
  note(line: string): void;
  /** The command's result: `text` for people, `data` (with `ok: true` added) under `--json`. */
  result(text: string, data: Record<string, unknown>): void;
  /**
   * A failure: one line, its hint and the page of its exit code (`docs:`) on stderr; under `--json`
   * also `{ok: false, error}` on stdout.
   */
  failure(error: CliError): void;
}

/**
 * Creates the {@link Output} of one command run.
 *
 * @param options - The two streams and whether `--json` was given.
 * @example
 * const output = createOutput({ stdout: process.stdout, stderr: process.stderr, json: false });
 * output.result("Welcome to the Photoshop API!", { message: "Welcome to the Photoshop API!" });
 */
export function createOutput(options: { stdout: OutputStream; stderr: OutputStream; json: boolean }): Output {
  const { stdout, stderr, json } = options;
  return {
    stderr,
    note(line) {
      stderr.write(`${line}\n`);
    },
    result(text, data) {
      stdout.write(json ? `${JSON.stringify({ ok: true, ...data }, null, 2)}\n` : `${text}\n`);
    },
    failure(error) {
      stderr.write(`error: ${error.message}\n`);
      if (error.hint) stderr.write(`hint: ${error.hint}\n`);
      const docs = error.docs ?? exitCodePage(error.exitCode);
      stderr.write(`docs: ${docs}\n`);
      if (json) {
        const body = {
          ok: false,
          error: { message: error.message, hint: error.hint, exitCode: error.exitCode, docs },
        };
        stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      }
    },
  };
}
