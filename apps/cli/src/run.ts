import { CREDENTIAL_VARIABLES } from "@psapi/auth";
import { createSecretRegistry, type SecretRegistry } from "@psapi/core";
import { CommanderError } from "commander";
import { CliError, usageError } from "./cli-error.js";
import type { CliContext } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { commandDeadline } from "./options.js";
import { createOutput, type OutputStream } from "./output.js";
import { buildProgram } from "./program.js";
import { createRunSignal, settleWithin } from "./run-signal.js";
import { createSession } from "./session.js";

/**
 * How long a command has to unwind after Ctrl-C or its deadline before psapi gives up on it: its
 * requests stop at once, so this only matters for work that ignores its signal.
 */
const GRACE_MS = 2000;

/** Commander's codes for output the user asked for (`--help`, `--version`): not failures. */
const REQUESTED_OUTPUT = new Set(["commander.helpDisplayed", "commander.version"]);

/**
 * Runs `psapi` once: parses `argv`, runs the command, and reports any failure as one line and a
 * hint on stderr (plus `{ok: false, error}` on stdout with `--json`).
 *
 * @param argv - `process.argv`: node, the script, then the arguments.
 * @param given - The process's environment, streams, Ctrl-C signal, directory and clock.
 * @returns The exit code (see `ExitCode` and the README).
 * @example
 * process.exitCode = await run(process.argv, context);
 */
export async function run(argv: readonly string[], given: CliContext): Promise<number> {
  const args = argv.slice(2);
  // The one door out: whatever the run writes on stdout and stderr (results, --json, notes, progress,
  // errors, a debug stack) passes the scrubber of the credentials it holds.
  const secrets = createSecretRegistry(
    CREDENTIAL_VARIABLES.filter((name) => !name.endsWith("_CLIENT_ID")).map((name) =>
      given.env[name]?.trim(),
    ),
  );
  const context: CliContext = {
    ...given,
    stdout: scrubbedStream(given.stdout, secrets),
    stderr: scrubbedStream(given.stderr, secrets),
  };
  const output = createOutput({
    stdout: context.stdout,
    stderr: context.stderr,
    json: args.includes("--json"),
  });
  // Every command sees one signal that ends on Ctrl-C and, once its --timeout is parsed, at its
  // deadline: the whole command (token, uploads, job, download) gets that long.
  const runSignal = createRunSignal(context.signal);
  const session = createSession({ ...context, signal: runSignal.signal }, output, secrets);
  const program = buildProgram(session);
  program.hook("preAction", (_program, action) => {
    const seconds = commandDeadline(action);
    if (seconds !== undefined) runSignal.arm(seconds);
  });
  try {
    await settleWithin(program.parseAsync([...argv]), runSignal.signal, GRACE_MS);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (REQUESTED_OUTPUT.has(error.code)) return ExitCode.ok;
      // `psapi help` (exit code 0), or bare `psapi` (1: commander printed the help to stderr).
      if (error.code === "commander.help") return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      const command = program.commands.find((candidate) => args.includes(candidate.name()));
      output.failure(
        await withoutSecrets(
          usageError(
            error.message.replace(/^error:\s*/, ""),
            `see: psapi ${command ? `${command.name()} ` : ""}--help`,
          ),
        ),
      );
      return ExitCode.usage;
    }
    // Loaded only on failure: it needs the client's and auth's error classes, which `--help` and a
    // usage mistake never do.
    const failure =
      error instanceof CliError
        ? error
        : (await import("./explain-error.js")).explainError(error, {
            signal: runSignal.signal,
            target: session.target,
          });
    output.failure(await withoutSecrets(failure));
    if (context.env.PSAPI_DEBUG === "1") {
      const original = failure.cause ?? failure;
      context.stderr.write(`${original instanceof Error ? original.stack : String(original)}\n`);
    }
    return failure.exitCode;
  } finally {
    runSignal.dispose();
  }
}

/** A stream whose every write is scrubbed of the run's secrets; its terminal traits pass through. */
function scrubbedStream<T extends OutputStream & { readonly columns?: number }>(
  stream: T,
  secrets: SecretRegistry,
): OutputStream & { readonly columns?: number } {
  return {
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    write: (text: string) => stream.write(secrets.scrub(text)),
  };
}

/**
 * The failure with every secret in its message and hint replaced (see `redactText`): a mistyped
 * `--input-url` (plain http, say) is quoted back by the argument parser, signature and all.
 */
async function withoutSecrets(failure: CliError): Promise<CliError> {
  const { redactText } = await import("@psapi/core");
  const message = redactText(failure.message);
  const hint = failure.hint === undefined ? undefined : redactText(failure.hint);
  if (message === failure.message && hint === failure.hint) return failure;
  return new CliError(message, { exitCode: failure.exitCode, hint, cause: failure.cause });
}
