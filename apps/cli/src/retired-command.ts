import { type RetiredOperation, RetiredOperationError } from "@psapi/client";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/** The seed's commands whose endpoint Adobe retired, and the command that replaces each. */
const RETIRED_COMMANDS = {
  mask: { operation: "createMask", replacement: "psapi remove-background --mode mask" },
  cutout: { operation: "removeBackground", replacement: "psapi remove-background --mode cutout" },
} as const satisfies Record<string, { operation: RetiredOperation; replacement: string }>;

/** A command of the seed whose endpoint Adobe retired. */
export type RetiredCommand = keyof typeof RETIRED_COMMANDS;

/**
 * The one line `psapi mask` and `psapi cutout` print when their target is Adobe's own host: which
 * endpoint Adobe retired on which day (from the client, which has it from the spec), and which
 * command replaces it.
 *
 * @param command - `mask` or `cutout`.
 * @example
 * retiredCommandLine("mask")
 * // "psapi mask calls POST /sensei/mask, which Adobe retired on 2025-10-15: use psapi remove-background --mode mask"
 */
export function retiredCommandLine(command: RetiredCommand): string {
  const { operation, replacement } = RETIRED_COMMANDS[command];
  const { endpoint, retiredOn } = new RetiredOperationError(operation);
  return `psapi ${command} calls ${endpoint}, which Adobe retired on ${retiredOn}: use ${replacement}`;
}

/**
 * The usage error for a retired command that reached the client on Adobe's host, where the client
 * refuses to send it (Adobe would answer an opaque 404).
 *
 * @param command - `mask` or `cutout`.
 * @param cause - The client's `RetiredOperationError`.
 */
export function retiredCommandError(command: RetiredCommand, cause: RetiredOperationError): CliError {
  return new CliError(
    `nothing was sent: ${cause.endpoint} is gone from Adobe's API since ${cause.retiredOn}`,
    {
      exitCode: ExitCode.usage,
      hint: `use ${RETIRED_COMMANDS[command].replacement}`,
      cause,
    },
  );
}
