import type { SecretRegistry } from "@psapi/core";
import type { CliContext } from "./context.js";
import type { Output } from "./output.js";
import type { Target, TargetOptions } from "./target.js";

/**
 * One run of `psapi`: its context, its output, and the target once a command opened it (kept so
 * that a failure can be explained with the target's host).
 */
export interface Session {
  readonly context: CliContext;
  readonly output: Output;
  /**
   * The credentials this run holds (from the environment, the Redis URL, each token auth obtains):
   * everything the run writes (stdout, stderr, the journal, the report) is scrubbed of them.
   */
  readonly secrets: SecretRegistry;
  /** The opened target, if any. */
  readonly target: Target | undefined;
  /** Opens the target and prints the first line of the command: which target it uses. */
  openTarget(options: TargetOptions): Promise<Target>;
}

/**
 * Creates the {@link Session} of one run.
 *
 * @param context - The process's environment, streams and Ctrl-C signal.
 * @param output - Where results and notes go.
 * @example
 * const session = createSession(context, createOutput({ ...streams, json: false }), createSecretRegistry());
 */
export function createSession(context: CliContext, output: Output, secrets: SecretRegistry): Session {
  let target: Target | undefined;
  return {
    context,
    output,
    secrets,
    get target() {
      return target;
    },
    async openTarget(options) {
      // Loaded when a command runs: the client and auth are not needed for `--help` or a usage error.
      const { openTarget } = await import("./target.js");
      target = await openTarget(context, options, secrets);
      output.note(`target: ${target.description}`);
      return target;
    },
  };
}
