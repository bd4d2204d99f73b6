import { type RetiredOperation, RetiredOperationError } from "@psapi/client";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";
import { CURRENT_COMMANDS } from "./help-groups.js";

/**
 * Each operation Adobe retired: the psapi command that calls it, and the command that replaces it
 * (the client's `replacement` names a client call, not a command). Typed by the client's list, so
 * an operation newly retired in the spec does not compile until it has a row here.
 */
const RETIRED: Record<RetiredOperation, { readonly command: string; readonly replacement?: string }> = {
  createMask: { command: "psapi mask", replacement: "psapi remove-background --mode mask" },
  removeBackground: { command: "psapi cutout", replacement: "psapi remove-background --mode cutout" },
  getDocumentManifest: {
    command: "psapi manifest --legacy",
    replacement: "psapi manifest (without --legacy)",
  },
  // Adobe's successors poll on /v2/status: remove-background's on image.adobe.io, the documents' on photoshop-api.
  getSenseiJobStatus: {
    command: "psapi status with this URL",
    replacement: "psapi status https://image.adobe.io/v2/status/<jobId>",
  },
  getPsdJobStatus: {
    command: "psapi status with this URL",
    replacement: "psapi status https://photoshop-api.adobe.io/v2/status/<jobId>",
  },
  hello: { command: "psapi hello" },
};

/**
 * The one line a command prints when its target is Adobe's own host and the endpoint it would call
 * is retired: which endpoint Adobe retired on which day (from the client, which has it from the
 * spec), and which command replaces it.
 *
 * @param operation - The retired operationId the command would call.
 * @example
 * retiredCommandLine("createMask")
 * // "psapi mask calls POST /sensei/mask, which Adobe retired on 2025-10-15: use psapi remove-background --mode mask"
 */
export function retiredCommandLine(operation: RetiredOperation): string {
  const { command, replacement } = RETIRED[operation];
  const { endpoint, retiredOn } = new RetiredOperationError(operation);
  return `${command} calls ${endpoint}, which Adobe retired on ${retiredOn}: ${replacement === undefined ? "it has no successor" : `use ${replacement}`}`;
}

/**
 * The usage error for a retired operation on Adobe's host, where the client refuses to send it
 * (Adobe would answer an opaque 404): worded from the error's fields, the replacement a command.
 *
 * @param cause - The client's `RetiredOperationError`.
 * @example
 * retiredOperationError(new RetiredOperationError("getDocumentManifest")).hint
 * // "use psapi manifest (without --legacy)"
 */
export function retiredOperationError(cause: RetiredOperationError): CliError {
  const { replacement } = RETIRED[cause.operation];
  return new CliError(
    `nothing was sent: ${cause.endpoint} is gone from Adobe's API since ${cause.retiredOn}`,
    {
      exitCode: ExitCode.usage,
      hint:
        replacement === undefined
          ? `it has no successor; psapi token checks the credentials, and the current commands are ${CURRENT_COMMANDS.join(", ")}`
          : `use ${replacement}`,
      cause,
    },
  );
}
