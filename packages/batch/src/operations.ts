import { isAbsolute, resolve } from "node:path";
import {
  type CreateCompositeRequest,
  type DocumentOutput,
  jobOutputs,
  type PhotoshopClient,
  type RemoveBackgroundV2Request,
  type UrlStorageType,
} from "@psapi/client/all";
import { isRecord } from "@psapi/core";
import { BatchError } from "./errors.js";
import { maskFileName } from "./hosted-results.js";
import { fillTemplate } from "./template.js";

/** A URL the API reads or writes, with the storage type Adobe's seed operations want beside it. */
export interface OperationFile {
  readonly href: string;
  readonly storage: UrlStorageType;
}

/** What one job of an operation is given. */
export interface OperationRequest {
  readonly input: OperationFile;
  /** Where the API writes the result, for operations whose `output` is `"href"`. */
  readonly output?: OperationFile;
  /** The input's key, for messages. */
  readonly key?: string;
  /** A template batch's row values (the input's `values`). */
  readonly values?: Readonly<Record<string, string>>;
  /** Uploads a local file to the run's storage and resolves with a GET URL (absent without storage). */
  readonly upload?: (path: string) => Promise<string>;
}

/** A result file the API hosts (the current contract): where to download it, and what to call it. */
export interface HostedResult {
  /** A pre-signed GET URL, short-lived: download it as soon as the job ends. */
  readonly url: string;
  /** Appended to the input's name for the local file (`-cutout.png`, `-masks/1-dog.png`). */
  readonly suffix: string;
  readonly mediaType?: string;
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
  /** The path its job is submitted to (a POST), as the rate windows count it. */
  readonly submits: string;
  /**
   * `"href"`: the API writes the result to an output URL the caller gives (the seed's `/sensei/*`);
   * `"hosted"`: the API keeps it and the final status names its URL (the current contract), and
   * the runner downloads it to `outDir`, or copies it to the input's output URL when it has one.
   */
  readonly output: "href" | "hosted";
  /**
   * Appended to the input's name for the local result (`-mask.png`); for an operation with
   * `manyResults`, the folder its files go into (`-masks`).
   */
  readonly suffix: string;
  /** A job gives several files (one mask per object): they go to `outDir`, never to one output URL. */
  readonly manyResults?: boolean;
  /** Sends the job. */
  submit(client: PhotoshopClient, request: OperationRequest, signal: AbortSignal): Promise<AcceptedJob>;
  /**
   * Polls the job until it ends.
   * @returns the hosted result files of `"hosted"` operations (none for `"href"` ones).
   * @throws the client's `JobFailedError`, `JobTimeoutError`, `PhotoshopApiError`; a `TypeError`
   *   when a hosted job succeeded without naming a result file.
   */
  wait(
    client: PhotoshopClient,
    job: AcceptedJob,
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<{ results?: readonly HostedResult[] }>;
}

/** Polls a seed job (`/sensei/status/…`) to its end; the result is where the caller asked it to go. */
async function waitSeed(
  client: PhotoshopClient,
  job: AcceptedJob,
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<{ results?: readonly HostedResult[] }> {
  await client.waitForJob(job.statusUrl, options);
  return {};
}

/**
 * Polls a current-contract job (`statusUrl` as the 202 gave it: `/v2/status/…` or `/v1/status/…`)
 * to its end and lists its hosted files, named by `suffixOf`.
 */
async function waitHosted(
  client: PhotoshopClient,
  job: AcceptedJob,
  options: { signal: AbortSignal; timeoutMs: number },
  suffixOf: (file: ReturnType<typeof jobOutputs>[number], index: number) => string,
): Promise<{ results: readonly HostedResult[] }> {
  const done = await client.waitForJob(job.statusUrl, options);
  const files = jobOutputs(done).filter((file) => file.url !== undefined);
  if (files.length === 0) {
    throw new BatchError("no-result", `job ${job.jobId} succeeded but its status names no result file`);
  }
  return {
    results: files.map((file, index) => ({
      url: file.url as string,
      suffix: suffixOf(file, index),
      ...(file.mediaType !== undefined && { mediaType: file.mediaType }),
    })),
  };
}

/** `POST /v2/remove-background` in one mode, its result hosted by the API. */
function removeBackground(
  name: string,
  mode: NonNullable<RemoveBackgroundV2Request["mode"]>,
  suffix: string,
  description: string,
): BatchOperation {
  return {
    name,
    description,
    submits: "/v2/remove-background",
    output: "hosted",
    suffix,
    async submit(client, request, signal) {
      // PNG for a cutout (transparency) and a mask; psd mode's own type otherwise (the API's default
      // would follow the input's type, and a JPEG cannot hold a transparent background).
      const body: RemoveBackgroundV2Request = {
        image: { source: { url: request.input.href } },
        mode,
        ...(mode !== "psd" && { output: { mediaType: "image/png" as const } }),
      };
      const job = await client.removeBackground(body, { signal });
      return { jobId: job.jobId, statusUrl: job.statusUrl };
    },
    wait: (client, job, options) => waitHosted(client, job, options, () => suffix),
  };
}

function seedOutput(request: OperationRequest): OperationFile {
  if (request.output === undefined) {
    throw new BatchError("input-not-runnable", "this operation writes to an output URL, and none was given");
  }
  return request.output;
}

/**
 * The operations of `psapi batch --op`, by name: the current contract's (`remove-background` in
 * each mode, `mask-objects`), whose results the API hosts, and the retired seed's (`mask`,
 * `cutout`), which write to an output URL.
 */
export const OPERATIONS: Readonly<Record<string, BatchOperation>> = Object.freeze({
  "remove-background": removeBackground(
    "remove-background",
    "cutout",
    "-cutout.png",
    "the subject on a transparent background, PNG (POST /v2/remove-background, mode cutout)",
  ),
  "remove-background-mask": removeBackground(
    "remove-background-mask",
    "mask",
    "-mask.png",
    "greyscale mask of the subject, PNG (POST /v2/remove-background, mode mask)",
  ),
  "remove-background-psd": removeBackground(
    "remove-background-psd",
    "psd",
    "-layers.psd",
    "layered PSD: the photo and the subject with a layer mask (POST /v2/remove-background, mode psd)",
  ),
  "mask-objects": {
    name: "mask-objects",
    description: "one mask per object and background region, PNGs in <name>-masks/ (POST /v1/mask-objects)",
    submits: "/v1/mask-objects",
    output: "hosted",
    suffix: "-masks",
    manyResults: true,
    async submit(client, request, signal) {
      const job = await client.maskObjects({ image: { source: { url: request.input.href } } }, { signal });
      return { jobId: job.jobId, statusUrl: job.statusUrl };
    },
    wait: (client, job, options) =>
      waitHosted(client, job, options, (file, index) => `-masks/${maskFileName(index, file.label)}`),
  },
  mask: {
    name: "mask",
    description: "greyscale mask of the main subject (retired seed: POST /sensei/mask)",
    submits: "/sensei/mask",
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
    description: "the subject on a transparent background (retired seed: POST /sensei/cutout)",
    submits: "/sensei/cutout",
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

/** Options of {@link compositeOperation}. */
export interface CompositeOperationOptions {
  /** create-composite's `edits`, with `{{column}}` placeholders the rows fill. */
  readonly edits: unknown;
  /** The rendition each row gets (default PNG). */
  readonly mediaType?: DocumentOutput["mediaType"];
  /** Its file extension, for the result's name (`<key>-composite.<extension>`). */
  readonly extension?: string;
  /** Where a row's relative file path starts (the CSV's folder). */
  readonly baseDir: string;
}

const IS_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A template batch's operation: every row is one `POST /v2/create-composite` on the same template
 * (the input), with the row's values filled into `edits` (`{{headline}}`, `{{product}}` …). A value
 * that lands in a `source.url` and is not a URL is a local file, relative to `baseDir`, uploaded to
 * the run's storage first. The rendition is hosted by the API and downloaded as
 * `<key>-composite.<extension>`.
 *
 * @example
 * const operation = compositeOperation({ edits, baseDir: dirname(csvPath) });
 */
export function compositeOperation(options: CompositeOperationOptions): BatchOperation {
  const mediaType = options.mediaType ?? "image/png";
  const suffix = `-composite.${options.extension ?? "png"}`;
  return {
    name: "composite",
    description:
      "one rendition per CSV row of a template with {{column}} placeholders (POST /v2/create-composite)",
    submits: "/v2/create-composite",
    output: "hosted",
    suffix,
    async submit(client, request, signal) {
      const row = { key: request.key ?? "", values: request.values ?? {} };
      const filled = fillTemplate(options.edits, row);
      const edits = await uploadLocalSources(filled, options.baseDir, request.upload);
      const body: CreateCompositeRequest = {
        image: { source: { url: request.input.href } },
        edits: edits as NonNullable<CreateCompositeRequest["edits"]>,
        outputs: [{ destination: { validityPeriod: 3600 }, mediaType }],
      };
      const job = await client.createComposite(body, { signal });
      return { jobId: job.jobId, statusUrl: job.statusUrl };
    },
    wait: (client, job, waitOptions) => waitHosted(client, job, waitOptions, () => suffix),
  };
}

/** Every `source.url` that is a path becomes the URL of that file, uploaded. */
async function uploadLocalSources(
  value: unknown,
  baseDir: string,
  upload: OperationRequest["upload"],
): Promise<unknown> {
  if (Array.isArray(value))
    return Promise.all(value.map((item) => uploadLocalSources(item, baseDir, upload)));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === "source" && isRecord(item) && typeof item.url === "string" && !IS_URL.test(item.url)) {
      if (upload === undefined) {
        throw new BatchError(
          "input-not-runnable",
          `${item.url} is a local file, and this target reads URLs only`,
          {
            input: item.url,
          },
        );
      }
      const path = isAbsolute(item.url) ? item.url : resolve(baseDir, item.url);
      out[key] = { ...item, url: await upload(path) };
    } else {
      out[key] = await uploadLocalSources(item, baseDir, upload);
    }
  }
  return out;
}

/**
 * The operation named `name`.
 *
 * @throws TypeError listing the known names when there is none.
 */
export function operationNamed(name: string): BatchOperation {
  const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
  if (operation === undefined) {
    throw new BatchError(
      "unknown-operation",
      `unknown operation ${JSON.stringify(name)}; known: ${Object.keys(OPERATIONS).join(", ")}`,
      { input: name },
    );
  }
  return operation;
}
