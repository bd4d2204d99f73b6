import type { PhotoshopClient } from "@psapi/client";

/** A URL the API reads or writes, with the storage type Adobe's seed operations want beside it. */
export interface OperationFile {
  readonly href: string;
  readonly storage: "external" | "azure" | "dropbox";
}

/** What one job of an operation is given. */
export interface OperationRequest {
  readonly input: OperationFile;
  /** Where the API writes the result, for operations whose `output` is `"href"`. */
  readonly output?: OperationFile;
}

/** An accepted job: enough to poll it again after a restart. */
export interface AcceptedJob {
  readonly jobId: string;
  readonly statusUrl: string;
}

/**
 * One operation `psapi batch --op` can run: how to submit a job and how to wait for it. Adding an
 * operation is one entry in {@link OPERATIONS}.
 */
export interface BatchOperation {
  /** `--op` value. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /**
   * `"href"`: the API writes the result to an output URL the caller gives (the seed's `/sensei/*`);
   * `"hosted"`: the API keeps it and the final status names its URL (the current contract).
   */
  readonly output: "href" | "hosted";
  /** Appended to the input's name, extension included, for the local result file (`-mask.png`). */
  readonly suffix: string;
  /** Sends the job. */
  submit(client: PhotoshopClient, request: OperationRequest, signal: AbortSignal): Promise<AcceptedJob>;
  /**
   * Polls the job until it ends.
   * @returns the result's URL for `"hosted"` operations.
   * @throws the client's `JobFailedError`, `JobTimeoutError`, `PhotoshopApiError`.
   */
  wait(
    client: PhotoshopClient,
    job: AcceptedJob,
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<{ resultUrl?: string }>;
}

/** Polls a seed job (`/sensei/status/…`) to its end; the result is where the caller asked it to go. */
async function waitSeed(
  client: PhotoshopClient,
  job: AcceptedJob,
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<{ resultUrl?: string }> {
  await client.waitForJob(job.statusUrl, options);
  return {};
}

function seedOutput(request: OperationRequest): OperationFile {
  if (request.output === undefined) {
    throw new TypeError("[@psapi/batch] this operation writes to an output URL, and none was given");
  }
  return request.output;
}

/**
 * The operations of `psapi batch --op`, by name. The current contract's (`remove-background` in
 * each mode, `mask-objects`) join when the client has their methods.
 */
export const OPERATIONS: Readonly<Record<string, BatchOperation>> = Object.freeze({
  mask: {
    name: "mask",
    description: "greyscale mask of the main subject (seed: POST /sensei/mask)",
    output: "href",
    suffix: "-mask.png",
    async submit(client, request, signal) {
      const output = { ...seedOutput(request), mask: { format: "soft" as const } };
      const job = await client.createMask({ input: request.input, output }, { signal });
      return { jobId: job.jobId, statusUrl: job.statusUrl };
    },
    wait: waitSeed,
  },
  cutout: {
    name: "cutout",
    description: "the subject on a transparent background (seed: POST /sensei/cutout)",
    output: "href",
    suffix: "-cutout.png",
    async submit(client, request, signal) {
      const job = await client.removeBackground(
        { input: request.input, output: seedOutput(request) },
        { signal },
      );
      return { jobId: job.jobId, statusUrl: job.statusUrl };
    },
    wait: waitSeed,
  },
} satisfies Record<string, BatchOperation>);

/**
 * The operation named `name`.
 *
 * @throws TypeError listing the known names when there is none.
 */
export function operationNamed(name: string): BatchOperation {
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (operation === undefined) {
    throw new TypeError(
      `[@psapi/batch] unknown operation ${JSON.stringify(name)}; known: ${Object.keys(OPERATIONS).join(", ")}`,
    );
  }
  return operation;
}
