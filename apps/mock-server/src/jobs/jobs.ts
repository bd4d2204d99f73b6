import { randomUUID } from "node:crypto";
import type { components } from "@psapi/openapi-types/photoshop-current";
import { ServiceError, type ServiceErrorBody } from "../http/errors.js";
import type { DocumentManifest } from "../imaging/manifest-types.js";
import { BoundedMap } from "../lib/bounded-map.js";
import type { EmulatorTime } from "../lib/clock.js";
import type { Imaging, JobTiming } from "../options.js";
import type { AssetMover, AssetRef } from "./assets.js";

/** The kinds of job of the retired contract (`/sensei/*`, `/pie/psdService/*`). */
export type RetiredJobKind = "mask" | "cutout" | "manifest";

/** The kinds of job of the current contract (`/v2/*`, `/v1/mask-*` …), run by a {@link JobTask}. */
export type CurrentJobKind =
  | "remove-background"
  | "generate-manifest"
  | "create-composite"
  | "create-artboard"
  | "mask-objects"
  | "mask-body-parts"
  | "refine-mask"
  | "fill-masked-areas";

/** The kinds of job the emulator runs. */
export type JobKind = RetiredJobKind | CurrentJobKind;

/** Why a current-contract job failed: a code and a message safe to show (no URL). */
export interface JobFailure {
  code: string;
  message: string;
}

/** The `result` of a succeeded v2 job (`/v2/status`): its outputs. */
export type V2JobResult = NonNullable<components["schemas"]["V2JobStatus"]["result"]>;

/** The results of a succeeded masking job, at the top level of its `/v1/status` body. */
export type MaskingJobResult = Pick<
  components["schemas"]["MaskingJobStatus"],
  "semanticMasks" | "backgroundMasks" | "masks" | "mask" | "image"
>;

/** What a succeeded current-contract job produced, in the spec's status shapes. */
export type CurrentJobResult = V2JobResult | MaskingJobResult;

/** What a {@link JobTask} ends with: the status body's result fields, or a failure. */
export type TaskOutcome = { result: CurrentJobResult } | { failure: JobFailure };

/** What a task may use: the generation's abort signal, and the image-work limiter. */
export interface TaskContext {
  /** The job being run (its id and origin name hosted outputs). */
  job: Job;
  /** Aborted by a reset or shutdown: stop transfers, write nothing. */
  signal: AbortSignal;
  /** Runs image work at most `maxConcurrentWork` at a time. */
  work<T>(compute: () => Promise<T>): Promise<T>;
}

/**
 * The work of a current-contract job, given at submission (its inputs already read). It never
 * rejects: it reports every failure as `{ failure }` in its family's words (`familyTask` in
 * ../current/tasks.ts builds every task so).
 */
export type JobTask = (context: TaskContext) => Promise<TaskOutcome>;

/** A job's lifecycle state. */
export type JobStatus = "pending" | "running" | "succeeded" | "failed";

/** The validated body of a sensei request (mask or cutout). */
export interface SenseiRequest {
  input: AssetRef;
  output: AssetRef & { mask?: { format?: "soft" | "binary" }; color?: { space?: string } };
  options?: Record<string, unknown>;
}

/** The validated body of a documentManifest request. */
export interface ManifestRequest {
  inputs: AssetRef[];
  options?: Record<string, unknown>;
}

/** One job as the emulator keeps it. */
export interface Job {
  id: string;
  kind: JobKind;
  clientId: string;
  status: JobStatus;
  createdAt: number;
  modifiedAt: number;
  /** When the job leaves `pending`. */
  startAt: number;
  /** Earliest time the job may finish. */
  doneAt: number;
  request: SenseiRequest | ManifestRequest | object;
  /** Size of the request body (JSON characters); with `heldBytes`, what the job weighs against `maxJobBytes`. */
  size: number;
  /** Bytes of the inputs the job's task holds until it has run (current contract); 0 after. */
  heldBytes: number;
  /** Origins under which the submitting request reached the emulator (own storage detection). */
  ownOrigins: ReadonlySet<string>;
  /** Origin for `_links`. */
  origin: string;
  manifest?: DocumentManifest;
  errors?: ServiceErrorBody;
  /** The work of a current-contract job; dropped once it has run (it holds the inputs). */
  task?: JobTask | undefined;
  /** A succeeded current-contract job's result fields. */
  result?: CurrentJobResult;
  /** Why a current-contract job failed. */
  failure?: JobFailure;
  /** Set once the work has finished; applied when `doneAt` has passed. */
  outcome?: {
    manifest?: Job["manifest"];
    errors?: ServiceErrorBody;
    result?: CurrentJobResult;
    failure?: JobFailure;
  };
  work?: Promise<void>;
  /** The serialised status body for one state of the job (see `statusJson`). */
  view?: { key: string; json: string };
}

/** What {@link JobRunner} needs. */
export interface JobRunnerDeps {
  time: EmulatorTime;
  timing: JobTiming;
  assets: AssetMover;
  imaging: Imaging;
  maxJobs: number;
  /**
   * Cap on what jobs hold: the kept jobs' request bodies (a body may be up to maxBodyBytes, mostly
   * href) and the inputs of current-contract jobs that have not run yet.
   */
  maxJobBytes: number;
  /** Most image computations at once. */
  maxConcurrentWork: number;
  /** Aborted on shutdown: cancels wake-up timers. */
  signal: () => AbortSignal;
  /** Called after a job changes state (the inspector's live view). */
  onChange?: () => void;
}

function isDecodeError(error: unknown): boolean {
  return error instanceof Error && error.name === "ImageDecodeError";
}

function toJobError(error: unknown): ServiceErrorBody {
  if (error instanceof ServiceError) {
    const { type, code, title, details } = error.body;
    return details ? { type, code, title, details } : { type, code, title };
  }
  if (isDecodeError(error)) {
    // ImageDecodeError messages are written to be safe to show to a client.
    return {
      type: "InputValidationError",
      code: 400,
      title: "The input image could not be processed",
      details: [{ name: "input", reason: (error as Error).message }],
    };
  }
  return { type: "UndefinedError", code: 500, title: "Internal Server Error" };
}

/** The document name of an input href: its last path segment, percent-decoded (own-storage keys hold `/` as `%2F`). */
export function fileName(href: string): string {
  const path = href.split(/[?#]/, 1)[0] ?? href;
  // Decode before splitting: own storage URLs carry the whole key as one segment (`/` as `%2F`).
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: name the document after the raw last segment.
  }
  return decoded.split("/").pop() || "document";
}

/**
 * Runs jobs for real: pending → running (download the input, run the image work, upload the
 * output) → succeeded or failed, on emulator time. Transitions happen on a timer, on every request
 * (`tick`), and on `runDue` (clock advance), so an injected clock drives them deterministically.
 */
export class JobRunner {
  readonly #deps: JobRunnerDeps;
  readonly #jobs: BoundedMap<string, Job>;
  readonly #active = new Set<Job>();
  /** Total `heldBytes` of every job whose task has not finished, kept or evicted. */
  #heldBytes = 0;
  #working = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(deps: JobRunnerDeps) {
    this.#deps = deps;
    this.#jobs = new BoundedMap({
      maxEntries: deps.maxJobs,
      maxWeight: deps.maxJobBytes,
      weigh: (job) => job.size + job.heldBytes,
    });
  }

  /**
   * Whether a job holding `bytes` of inputs may be submitted now: the inputs held by jobs not yet
   * run stay within `maxJobBytes`. A job over the cap on its own is let in when nothing else is
   * held, so that a large input is slow to get in, never refused for good.
   */
  hasRoomFor(bytes: number): boolean {
    return this.#heldBytes === 0 || this.#heldBytes + bytes <= this.#deps.maxJobBytes;
  }

  /** Bytes of inputs held by jobs whose task has not finished (see {@link hasRoomFor}). */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /**
   * Registers a job and starts its clock.
   *
   * @param extra - `task`: the work of a current-contract job; `heldBytes`: the size of the
   *   inputs its task holds until it has run (check {@link hasRoomFor} first); `idPrefix`:
   *   prepended to the UUID (remove-background ids are URNs, `urn:ff:jobs:psapi:<uuid>`).
   */
  submit(
    kind: JobKind,
    clientId: string,
    request: Job["request"],
    origin: string,
    ownOrigins: ReadonlySet<string>,
    extra: { task?: JobTask; heldBytes?: number; idPrefix?: string } = {},
  ): Job {
    const now = this.#deps.time.now();
    const startAt = now + this.#deps.timing.pendingMs;
    const job: Job = {
      id: `${extra.idPrefix ?? ""}${randomUUID()}`,
      task: extra.task,
      kind,
      clientId,
      status: "pending",
      createdAt: now,
      modifiedAt: now,
      startAt,
      doneAt: startAt + this.#deps.timing.runningMs,
      request,
      size: JSON.stringify(request).length,
      heldBytes: extra.task ? (extra.heldBytes ?? 0) : 0,
      origin,
      ownOrigins,
    };
    this.#heldBytes += job.heldBytes;
    this.#jobs.set(job.id, job);
    this.#active.add(job);
    this.#deps.onChange?.();
    this.tick();
    this.#wakeAt(startAt);
    return job;
  }

  /** A job by id, if it exists, was not evicted, and belongs to `clientId`. */
  get(id: string, clientId: string): Job | undefined {
    const job = this.#jobs.peek(id);
    return job && job.clientId === clientId ? job : undefined;
  }

  /** Every kept job, newest first. */
  list(): Job[] {
    return [...this.#jobs.values()].reverse();
  }

  /** Applies every transition that is due now. */
  tick(): void {
    // Runs on every request: with no job in flight (the common case, e.g. `hello`) it is one check.
    if (this.#active.size === 0) return;
    const now = this.#deps.time.now();
    let changed = false;
    for (const job of this.#active) {
      if (!this.#jobs.has(job.id)) {
        // Evicted: a job that never started drops its task (and the inputs it holds) here.
        if (job.status === "pending") this.#release(job);
        this.#active.delete(job);
        continue;
      }
      if (job.status === "pending" && now >= job.startAt) {
        job.status = "running";
        job.modifiedAt = now;
        changed = true;
        job.work = this.#run(job).then((outcome) => {
          job.outcome = outcome;
          this.tick();
        });
        this.#wakeAt(job.doneAt);
      }
      if (job.status === "running" && job.outcome && now >= job.doneAt) {
        job.status = job.outcome.errors || job.outcome.failure ? "failed" : "succeeded";
        job.manifest = job.outcome.manifest;
        job.errors = job.outcome.errors;
        job.result = job.outcome.result;
        job.failure = job.outcome.failure;
        job.modifiedAt = now;
        this.#active.delete(job);
        changed = true;
      }
    }
    if (changed) this.#deps.onChange?.();
  }

  /** Applies due transitions and waits for the work they start, until nothing more is due. */
  async runDue(): Promise<void> {
    for (;;) {
      this.tick();
      const working = [...this.#active].filter((job) => job.status === "running" && !job.outcome && job.work);
      if (working.length === 0) return;
      await Promise.all(working.map((job) => job.work));
    }
  }

  /** Forgets every job. Work in flight completes into the void (and then gives back its inputs). */
  reset(): void {
    for (const job of this.#active) if (job.status === "pending") this.#release(job);
    this.#jobs.clear();
    this.#active.clear();
  }

  /** Number of jobs kept. */
  get size(): number {
    return this.#jobs.size;
  }

  /** The job's task has finished or will never run: its inputs are no longer held. */
  #release(job: Job): void {
    job.task = undefined;
    if (job.heldBytes === 0) return;
    this.#heldBytes -= job.heldBytes;
    job.heldBytes = 0;
    this.#jobs.reweigh(job.id);
  }

  #wakeAt(at: number): void {
    const delay = at - this.#deps.time.now();
    if (delay <= 0) return;
    this.#deps.time.sleep(delay, this.#deps.signal()).then(
      () => this.tick(),
      () => undefined,
    );
  }

  /**
   * Runs image work at most `maxConcurrentWork` at a time: a burst of due jobs would otherwise
   * decode every input at once (up to 10000 × 10000 pixels each) and memory would follow.
   */
  async #work<T>(task: () => Promise<T>): Promise<T> {
    if (this.#working >= this.#deps.maxConcurrentWork) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#working += 1;
    }
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#working -= 1;
    }
  }

  async #run(job: Job): Promise<NonNullable<Job["outcome"]>> {
    const { assets, imaging } = this.#deps;
    // This generation's signal: a reset (or shutdown) stops the job's transfers and its upload.
    const signal = this.#deps.signal();
    const task = job.task;
    if (task) {
      job.task = undefined;
      try {
        return await task({ job, signal, work: (compute) => this.#work(compute) });
      } finally {
        this.#release(job);
      }
    }
    try {
      // The input is downloaded inside the work slot, so at most maxConcurrentWork inputs are held
      // at once: a burst of due jobs would otherwise download every input and wait holding it.
      if (job.kind === "manifest") {
        const request = job.request as ManifestRequest;
        const input = request.inputs[0] as AssetRef;
        return {
          manifest: await this.#work(async () =>
            imaging.readDocumentManifest(
              await assets.download(input, job.ownOrigins, signal),
              fileName(input.href),
            ),
          ),
        };
      }
      const request = job.request as SenseiRequest;
      const png = await this.#work(async () => {
        const bytes = await assets.download(request.input, job.ownOrigins, signal);
        return job.kind === "mask"
          ? imaging.computeMask(bytes, { format: request.output.mask?.format ?? "soft" })
          : imaging.computeCutout(bytes);
      });
      await assets.upload(request.output, png, "image/png", job.ownOrigins, signal);
      return {};
    } catch (error) {
      return { errors: toJobError(error) };
    }
  }
}
