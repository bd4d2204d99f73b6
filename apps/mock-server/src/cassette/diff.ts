import { randomUUID } from "node:crypto";
import { type Clock, isRecord } from "@psapi/core";
import { createConformanceChecker, loadSpec, SPEC_NAMES, type Violation } from "@psapi/openapi";
import { createEmulatorControl } from "../control-client/control-client.js";
import {
  type BodyDifference,
  compareImages,
  compareJson,
  type ImageComparison,
  VOLATILE_FIELDS,
} from "./compare.js";
import { type Cassette, type CassetteEntry, validateCassette } from "./format.js";
import { psapiVersion } from "./operations.js";
import { recordedResponse, type UpstreamFetch } from "./recording-fetch.js";

/**
 * Where a difference belongs: `spec-fix` the recorded (real) answer breaks psapi's spec, so the
 * spec is wrong; `emulator-bug` the emulator's answer breaks it; `fidelity-gap` both meet it but
 * differ.
 */
export type DiffCategory = "spec-fix" | "emulator-bug" | "fidelity-gap";

/** The categories, in report order. */
export const DIFF_CATEGORIES: readonly DiffCategory[] = ["spec-fix", "emulator-bug", "fidelity-gap"];

/**
 * What differs: `spec` a spec violation (`problem` says which); `status`; `content-type`;
 * `missing` a body field the recording has and the emulator not; `extra` the reverse; `type` a
 * field's JSON type; `value` an enum-like value; `job-state` a job's final state; `image-size`,
 * `image-format`, `image-mask` (mask IoU under the threshold) of a downloaded output;
 * `no-answer` the emulator could not be asked (its fetch threw).
 */
export type DifferenceKind =
  | "spec"
  | "status"
  | "content-type"
  | "missing"
  | "extra"
  | "type"
  | "value"
  | "job-state"
  | "image-size"
  | "image-format"
  | "image-mask"
  | "no-answer";

/** One difference between a recorded exchange and the emulator's answer to the same request. */
export interface CassetteDifference {
  category: DiffCategory;
  kind: DifferenceKind;
  /** The entry's index in `log.entries`. */
  entry: number;
  method: string;
  /** The recorded URL's path (no origin, no query). */
  path: string;
  operationId: string | undefined;
  /** JSON pointer into the body, for `missing`, `extra`, `type` and `value`. */
  pointer?: string;
  /** The recorded side: a status, media type, JSON type, value, job state or image size. */
  recorded?: unknown;
  /** The emulator's side, as `recorded`. */
  emulator?: unknown;
  /** The measured mask overlap, for image differences. */
  iou?: number;
  /** One sentence. */
  problem: string;
}

/** Why an entry was not compared. */
export type SkipReason =
  | "upload"
  | "input-download"
  | "no-counterpart"
  | "job-not-replayed"
  | "emulator-control";

/** An entry `diffCassette` did not send to the emulator, and why. */
export interface SkippedEntry {
  entry: number;
  method: string;
  path: string;
  operationId: string | undefined;
  reason: SkipReason;
  /** One sentence. */
  detail: string;
}

/** An output image of the recording measured against the emulator's. */
export interface ImageMeasurement extends ImageComparison {
  entry: number;
  path: string;
}

/**
 * The JSON report of `psapi cassette diff` (`diffCassette`'s result). `format` changes only when a
 * field changes meaning or goes away.
 */
export interface CassetteDiffReport {
  report: "cassette-diff";
  format: 1;
  /** The cassette file, as given. */
  cassette: string;
  /** `log._psapi.recordedAt` and `recordedAgainst` of the cassette. */
  recordedAt: string;
  recordedAgainst: string[];
  /** The emulator measured: `@psapi/mock-server`'s version. */
  emulatorVersion: string;
  /** Entries in the cassette. */
  entries: number;
  /** Entries sent to the emulator and compared. */
  compared: number;
  /** Differences per category. */
  counts: Record<DiffCategory, number>;
  differences: CassetteDifference[];
  skipped: SkippedEntry[];
  /** Every output image compared, whether or not it differs. */
  images: ImageMeasurement[];
  /** The lowest mask IoU that is not a difference. */
  minIoU: number;
  /** Fields whose values are never compared ({@link VOLATILE_FIELDS}). */
  volatileFields: readonly string[];
}

/** What {@link DiffOptions.emulator} is given: the emulator's own client, a clock the diff moves, its origin, its stop signal. */
export interface DiffEmulatorOptions {
  clients: { clientId: string; clientSecret: string }[];
  clock: Clock;
  publicUrl: string;
  signal: AbortSignal;
}

/** Options of {@link diffCassette}. */
export interface DiffOptions {
  /**
   * Creates the emulator to measure: `createEmulator` of `@psapi/mock-server`, or a function that
   * adds options to it (`jobs` timing, `imaging`). Passed in, so that the cassette module imports
   * nothing of the server.
   */
  emulator: (options: DiffEmulatorOptions) => { fetch(request: Request): Response | Promise<Response> };
  /** The cassette's file name, for the report. Default `"cassette.har"`. */
  file?: string;
  /** Lowest mask IoU (0-1) that is not a difference. Default 0.9. */
  minIoU?: number;
  /**
   * Wraps the emulator's fetch: a test changes the emulator's answers with it. Default none.
   */
  interpose?: (fetch: UpstreamFetch) => UpstreamFetch;
  /** Longest the emulator is given (virtual ms) past a job's last recorded poll to finish it. Default 600 000. */
  maxJobMs?: number;
}

const ORIGIN = "http://127.0.0.1:4010";
/** The emulator's storage route (`emulator.yaml`): its objects are storage, not API operations. */
const OBJECTS_PATH = "/__emulator/storage/objects/";
const PLACEHOLDER = /^\{\{storage:(\d+)\}\}(\/[^?#]*)/;
const TERMINAL = new Set(["succeeded", "failed"]);
const SCOPE = "openid,AdobeID,read_organizations";
/** The most the control API moves the clock by in one call (a year): nothing the emulator holds lives longer. */
const MAX_ADVANCE_MS = 31_536_000_000;

/** A job's state in a status body: `status`, or its outputs' states together (the v1 shapes). */
export function jobState(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (typeof body.status === "string") return body.status;
  const outputs = Array.isArray(body.outputs) ? body.outputs : [];
  const states = outputs.map((output) => (isRecord(output) ? output.status : undefined));
  if (states.length === 0 || states.some((state) => typeof state !== "string")) return undefined;
  if (states.every((state) => state === "succeeded")) return "succeeded";
  if (states.every((state) => TERMINAL.has(state as string))) return "failed";
  return states.find((state) => !TERMINAL.has(state as string)) as string;
}

const mediaType = (value: string | null) => (value ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
const isJson = (type: string) => type === "application/json" || type.endsWith("+json");
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const pathOf = (url: string) => new URL(url).pathname;

/** Every string in a JSON value, with its pointer. */
function strings(value: unknown, pointer = ""): [string, string][] {
  if (typeof value === "string") return [[pointer, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${pointer}/${i}`));
  if (isRecord(value))
    return Object.entries(value).flatMap(([key, item]) =>
      strings(item, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`),
    );
  return [];
}

/** A copy of a JSON value with each string passed through `map`. */
function mapStrings(value: unknown, map: (text: string, pointer: string) => string, pointer = ""): unknown {
  if (typeof value === "string") return map(value, pointer);
  if (Array.isArray(value)) return value.map((item, i) => mapStrings(item, map, `${pointer}/${i}`));
  if (isRecord(value))
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, map, `${pointer}/${key}`)]),
    );
  return value;
}

/** A clock that only the control API moves: the diff sets virtual time, nothing waits for real. */
function stillClock(start: number): Clock {
  return {
    now: () => start,
    sleep: (_ms, signal) =>
      new Promise<void>((_resolve, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
  };
}

/**
 * Sends each recorded request of a cassette to a fresh in-process emulator at the same virtual
 * time, and sorts every difference into a spec fix, an emulator bug or a fidelity gap.
 *
 * The emulator has its own client (its tokens answer the recorded token calls); the inputs the
 * recorded jobs read (`{{storage:<n>}}/path` in their request bodies) are seeded into its storage
 * from the bodies the cassette recorded for those URLs (an upload, or a download) and replaced by
 * its own pre-signed URLs; its clock follows the entries' `startedDateTime` and each job's `t`;
 * at a job's last recorded poll it is given up to `maxJobMs` more to finish; outputs are downloaded
 * from the URLs its answers give, and images compared by size and mask overlap.
 *
 * @param cassette A cassette read by `readCassette`.
 * @param options See {@link DiffOptions}.
 * @returns The report.
 * @example
 * const report = await diffCassette(await readCassette("remove-background.har"), {
 *   file: "remove-background.har",
 *   emulator: createEmulator, // of @psapi/mock-server
 * });
 * console.log(report.counts); // { "spec-fix": 0, "emulator-bug": 0, "fidelity-gap": 0 }
 */
export async function diffCassette(cassette: Cassette, options: DiffOptions): Promise<CassetteDiffReport> {
  const { har, blobs } = cassette;
  // Given in code, a cassette may not have come through readCassette: refused whole, as a file is.
  validateCassette(har, options.file ?? "cassette.har");
  const { entries, _psapi: log } = har.log;
  const minIoU = options.minIoU ?? 0.9;
  const maxJobMs = options.maxJobMs ?? 600_000;
  const report: CassetteDiffReport = {
    report: "cassette-diff",
    format: 1,
    cassette: options.file ?? "cassette.har",
    recordedAt: log.recordedAt,
    recordedAgainst: log.recordedAgainst,
    emulatorVersion: psapiVersion(),
    entries: entries.length,
    compared: 0,
    counts: { "spec-fix": 0, "emulator-bug": 0, "fidelity-gap": 0 },
    differences: [],
    skipped: [],
    images: [],
    minIoU,
    volatileFields: VOLATILE_FIELDS,
  };
  if (entries.length === 0) return report;

  const checker = createConformanceChecker(SPEC_NAMES.map((name) => loadSpec(name)));
  const start = Date.parse(entries[0]?.startedDateTime ?? log.recordedAt);
  const client = { clientId: "psapi-cassette-diff", clientSecret: randomUUID() };
  const stop = new AbortController();
  const app = options.emulator({
    clients: [client],
    clock: stillClock(start),
    publicUrl: ORIGIN,
    signal: stop.signal,
  });
  const direct: UpstreamFetch = async (request) => app.fetch(request);
  const send = options.interpose ? options.interpose(direct) : direct;
  const control = createEmulatorControl({ baseUrl: ORIGIN, fetch: direct });

  /** The emulator's virtual time, in ms after the first entry. */
  let at = 0;
  const advanceTo = async (target: number) => {
    // Whole ms (the control API's unit), and an idle gap over a year as one year: every lifetime has ended by then.
    await control.advanceClock(Math.min(MAX_ADVANCE_MS, Math.max(0, Math.ceil(target - at))));
    at = Math.max(at, target);
  };

  let token: { value: string; until: number } | undefined;
  const bearer = async (): Promise<string> => {
    if (!token || at >= token.until) {
      const answer = await direct(
        new Request(`${ORIGIN}/ims/token/v3`, {
          method: "POST",
          body: new URLSearchParams({ grant_type: "client_credentials", ...credentials(), scope: SCOPE }),
        }),
      );
      const body: unknown = await answer.json();
      if (!isRecord(body) || typeof body.access_token !== "string")
        throw new Error("the emulator gave its own client no token");
      const lifetime = typeof body.expires_in === "number" ? body.expires_in * 1000 : 3_600_000;
      token = { value: body.access_token, until: at + lifetime - 60_000 };
    }
    return token.value;
  };
  const credentials = () => ({ client_id: client.clientId, client_secret: client.clientSecret });

  // The bodies the recording holds for storage URLs (uploads and downloads), by origin + path.
  const location = (placeholder: string): string | undefined => {
    const match = PLACEHOLDER.exec(placeholder);
    const origin = match?.[1] ? log.storage[match[1]]?.origin : undefined;
    return origin && match?.[2] ? `${origin}${match[2]}` : undefined;
  };
  const urlLocation = (url: string) => {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  };
  const stored = new Map<string, { bytes: Uint8Array; type: string }>();
  for (const entry of entries) {
    if (entry._psapi.operationId && !pathOf(entry.request.url).startsWith(OBJECTS_PATH)) continue;
    const where = urlLocation(entry.request.url);
    const post = entry.request.postData;
    const content = entry.response.content;
    if (entry.request.method !== "GET" && post) {
      const bytes = post._psapi?.blob ? blobs.get(post._psapi.blob) : new TextEncoder().encode(post.text);
      if (bytes && bytes.length > 0) stored.set(where, { bytes, type: post.mimeType });
    } else if (entry.request.method === "GET" && entry.response.status === 200 && !stored.has(where)) {
      const bytes = content._psapi?.blob
        ? blobs.get(content._psapi.blob)
        : new TextEncoder().encode(content.text ?? "");
      if (bytes && bytes.length > 0) stored.set(where, { bytes, type: content.mimeType });
    }
  }
  const keyOf = (where: string): string => {
    const url = new URL(where);
    if (url.pathname.startsWith(OBJECTS_PATH))
      return decodeURIComponent(url.pathname.slice(OBJECTS_PATH.length));
    const segments = decodeURIComponent(url.pathname)
      .split("/")
      .filter((segment) => segment !== "" && segment !== "." && segment !== "..");
    return ["recorded", url.hostname, ...segments].join("/").slice(0, 1000);
  };

  /** Storage URLs a recorded job reads: their downloads are seeding, not comparing. */
  const inputs = new Set<string>();
  for (const entry of entries) {
    const text = entry._psapi.operationId ? entry.request.postData?.text : undefined;
    for (const [pointer, value] of strings(text ? parseJson(text) : undefined)) {
      const where = location(value);
      if (where && !/output|destination/i.test(pointer)) inputs.add(where);
    }
  }
  const seeded = new Set<string>();
  /** Where the emulator's counterpart of a recorded storage URL is: a key of its store, or a URL it gave. */
  const counterparts = new Map<string, { key: string } | { url: string }>();
  interface JobState {
    emulatorId?: string;
    submittedAt: number;
    /** Why the job's later entries are not compared. */
    skip?: string;
  }
  const jobs = new Map<string, JobState>();
  const lastPoll = new Map<string, number>();
  /** Outputs named by the recorded answers of jobs not replayed, and why. */
  const notReplayed = new Map<string, string>();
  entries.forEach((entry, index) => {
    if (entry._psapi.job && entry.request.method === "GET" && entry._psapi.operationId)
      lastPoll.set(entry._psapi.job.id, index);
  });

  const record = (
    index: number,
    entry: CassetteEntry,
    difference: Omit<CassetteDifference, "entry" | "method" | "path" | "operationId">,
  ) => {
    report.differences.push({
      entry: index,
      method: entry.request.method,
      path: pathOf(entry.request.url),
      operationId: entry._psapi.operationId,
      ...difference,
    });
    report.counts[difference.category]++;
  };
  const skip = (index: number, entry: CassetteEntry, reason: SkipReason, detail: string) => {
    report.skipped.push({
      entry: index,
      method: entry.request.method,
      path: pathOf(entry.request.url),
      operationId: entry._psapi.operationId,
      reason,
      detail,
    });
  };
  const violations = (index: number, entry: CassetteEntry, found: Violation[], category: DiffCategory) => {
    for (const violation of found)
      record(index, entry, { category, kind: "spec", problem: violation.problem });
  };

  /** The request body for the emulator: each placeholder replaced by the emulator's own URL. */
  const rewriteBody = async (text: string): Promise<{ body: string; missing: string | undefined }> => {
    const parsed = parseJson(text);
    if (parsed === undefined) return { body: text, missing: undefined };
    let missing: string | undefined;
    const urls = new Map<string, string>();
    for (const [pointer, value] of strings(parsed)) {
      const where = location(value);
      if (!where || urls.has(value)) continue;
      const key = keyOf(where);
      if (/output|destination/i.test(pointer)) {
        urls.set(value, (await control.presign(key, "PUT")).url);
        counterparts.set(where, { key });
        continue;
      }
      const body = stored.get(where);
      if (!body) {
        missing ??= value;
        continue;
      }
      if (!seeded.has(key))
        await control.putObject(key, new Uint8Array(body.bytes) as Uint8Array<ArrayBuffer>, body.type);
      seeded.add(key);
      urls.set(value, (await control.presign(key, "GET")).url);
    }
    return {
      body: JSON.stringify(mapStrings(parsed, (value) => urls.get(value) ?? value)),
      missing,
    };
  };

  /** The emulator's request for a recorded API or IMS entry. */
  const emulatorRequest = async (
    entry: CassetteEntry,
  ): Promise<{ request: Request; missing?: string; job?: string }> => {
    const recorded = new URL(entry.request.url);
    let path = recorded.pathname;
    const jobId = entry._psapi.pathParams?.jobId;
    if (jobId !== undefined) {
      const job = jobs.get(jobId);
      if (job?.skip) return { request: new Request(ORIGIN), job: job.skip };
      // A job id the cassette never submitted (an unknown job's 404) goes as recorded.
      const emulatorId = job?.emulatorId ?? jobId;
      path = path
        .split("/")
        .map((segment) => (decodeURIComponent(segment) === jobId ? encodeURIComponent(emulatorId) : segment))
        .join("/");
    }
    const headers = new Headers();
    const post = entry.request.postData;
    for (const { name, value } of entry.request.headers)
      if (/^(accept|content-type)$/i.test(name)) headers.set(name, value);
    let body: BodyInit | undefined;
    let missing: string | undefined;
    const ims = entry._psapi.spec === "ims.yaml";
    if (ims) {
      const form = new URLSearchParams(post?.text ?? "");
      for (const [name, value] of Object.entries(credentials())) if (form.has(name)) form.set(name, value);
      body = form;
      headers.set("content-type", "application/x-www-form-urlencoded");
    } else {
      headers.set("authorization", `Bearer ${await bearer()}`);
      headers.set("x-api-key", client.clientId);
      if (post?._psapi?.blob) body = blobs.get(post._psapi.blob) as Uint8Array<ArrayBuffer>;
      else if (post?.text) ({ body, missing } = await rewriteBody(post.text));
    }
    const request = new Request(`${ORIGIN}${path}${recorded.search}`, {
      method: entry.request.method,
      headers,
      ...(body !== undefined && !/^(GET|HEAD)$/i.test(entry.request.method) && { body }),
    });
    return { request, ...(missing && { missing }) };
  };

  /** Compares two answers to one request; both are read. */
  const compare = async (
    index: number,
    entry: CassetteEntry,
    recorded: Response,
    emulator: Response,
    emulatorUrl: string,
    bodies: { recorded: unknown; emulator: unknown } | undefined,
    compareBodies: boolean,
  ): Promise<boolean> => {
    report.compared++;
    // Storage is no part of the service's contract: only API and IMS answers are held to the spec.
    const api = !pathOf(entry.request.url).startsWith(OBJECTS_PATH) && entry._psapi.operationId !== undefined;
    const recordedViolations = api
      ? await checker.check({ method: entry.request.method, url: entry.request.url }, recorded.clone())
      : [];
    const emulatorViolations = api
      ? await checker.check({ method: entry.request.method, url: emulatorUrl }, emulator.clone())
      : [];
    violations(index, entry, api ? recordedViolations : [], "spec-fix");
    violations(index, entry, emulatorViolations, "emulator-bug");
    if (api && (recordedViolations.length > 0 || emulatorViolations.length > 0)) return false;
    const gap = (
      difference: Omit<CassetteDifference, "entry" | "method" | "path" | "operationId" | "category">,
    ) => record(index, entry, { category: "fidelity-gap", ...difference });
    if (recorded.status !== emulator.status) {
      gap({
        kind: "status",
        recorded: recorded.status,
        emulator: emulator.status,
        problem: `status ${recorded.status} recorded, ${emulator.status} from the emulator`,
      });
      return true;
    }
    const types = {
      recorded: mediaType(recorded.headers.get("content-type")),
      emulator: mediaType(emulator.headers.get("content-type")),
    };
    if (types.recorded !== types.emulator && (types.recorded !== "" || types.emulator !== "")) {
      gap({
        kind: "content-type",
        ...types,
        problem: `content-type ${types.recorded || "(none)"} recorded, ${types.emulator || "(none)"} from the emulator`,
      });
      // A hosted output served under another type (octet-stream) is still measured as an image.
      if (api) return true;
    }
    if (!compareBodies) return true;
    if (isJson(types.recorded) && bodies) {
      for (const difference of compareJson(bodies.recorded, bodies.emulator)) gap(bodyGap(difference));
      return true;
    }
    if (!api || types.recorded.startsWith("image/")) {
      const [a, b] = await Promise.all([recorded.arrayBuffer(), emulator.arrayBuffer()]);
      const measured = await compareImages(new Uint8Array(a), new Uint8Array(b));
      if (!measured) return true;
      report.images.push({ entry: index, path: pathOf(entry.request.url), ...measured });
      const size = (s: { width: number; height: number }) => `${s.width}×${s.height}`;
      if (
        measured.recorded.width !== measured.emulator.width ||
        measured.recorded.height !== measured.emulator.height
      )
        gap({
          kind: "image-size",
          recorded: { width: measured.recorded.width, height: measured.recorded.height },
          emulator: { width: measured.emulator.width, height: measured.emulator.height },
          iou: measured.iou,
          problem: `image ${size(measured.recorded)} recorded, ${size(measured.emulator)} from the emulator (mask IoU ${measured.iou.toFixed(3)} after resizing)`,
        });
      else if (measured.iou < minIoU)
        gap({
          kind: "image-mask",
          iou: measured.iou,
          problem: `masks overlap by IoU ${measured.iou.toFixed(3)}, under ${minIoU}`,
        });
      if (measured.recorded.format !== measured.emulator.format)
        gap({
          kind: "image-format",
          recorded: measured.recorded.format,
          emulator: measured.emulator.format,
          problem: `image format ${measured.recorded.format} recorded, ${measured.emulator.format} from the emulator`,
        });
    }
    return true;
  };

  try {
    for (const [index, entry] of entries.entries()) {
      const recordedJob = entry._psapi.job;
      const offset = Date.parse(entry.startedDateTime) - start;
      const known = recordedJob ? jobs.get(recordedJob.id) : undefined;
      await advanceTo(known && recordedJob ? known.submittedAt + recordedJob.t : offset);

      const storage = !entry._psapi.operationId || pathOf(entry.request.url).startsWith(OBJECTS_PATH);
      if (entry._psapi.spec === "emulator.yaml" && !storage) {
        skip(index, entry, "emulator-control", "a call to the emulator's control API, not to the service");
        continue;
      }
      const recorded = recordedResponse(entry, log.storage, blobs);
      if (storage) {
        // Storage: uploads seed the emulator; downloads of outputs are compared.
        const where = urlLocation(entry.request.url);
        if (entry.request.method !== "GET") {
          skip(
            index,
            entry,
            "upload",
            "an upload: its body seeds the emulator's storage where a job reads it",
          );
          continue;
        }
        const counterpart = counterparts.get(where);
        if (!counterpart) {
          const why = notReplayed.get(where);
          if (inputs.has(where))
            skip(
              index,
              entry,
              "input-download",
              "a download of a job's input: its body seeds the emulator's storage",
            );
          else if (why) skip(index, entry, "job-not-replayed", `an output of a job not replayed: ${why}`);
          else skip(index, entry, "no-counterpart", "a storage URL no compared job answer or request names");
          continue;
        }
        const url =
          "url" in counterpart ? counterpart.url : (await control.presign(counterpart.key, "GET")).url;
        const emulator = await send(new Request(url));
        await compare(index, entry, recorded, emulator, url, undefined, true);
        continue;
      }

      const built = await emulatorRequest(entry);
      if (built.job) {
        skip(index, entry, "job-not-replayed", built.job);
        // The outputs its recorded answers name are not compared either, for the same reason.
        for (const [, value] of strings(parseJson(entry.response.content.text ?? ""))) {
          const where = location(value) ?? (/^https?:\/\//.test(value) ? urlLocation(value) : undefined);
          if (where) notReplayed.set(where, built.job);
        }
        continue;
      }
      if (built.missing) {
        const reason = `its input ${built.missing} has no recorded body (record its upload or download in the same session)`;
        if (recordedJob)
          jobs.set(recordedJob.id, { submittedAt: at, skip: `the job was not replayed: ${reason}` });
        skip(index, entry, "job-not-replayed", reason);
        continue;
      }
      let emulator: Response;
      try {
        emulator = await send(built.request);
      } catch (error) {
        report.compared++;
        record(index, entry, {
          category: "emulator-bug",
          kind: "no-answer",
          problem: `the emulator gave no answer (${error instanceof Error ? error.name : "error"})`,
        });
        continue;
      }
      const recordedText = await recorded.clone().text();
      let emulatorText = await emulator.clone().text();
      let bodies = { recorded: parseJson(recordedText), emulator: parseJson(emulatorText) };
      let compareBodies = true;
      let finalState: Omit<CassetteDifference, "entry" | "method" | "path" | "operationId"> | undefined;

      if (recordedJob && entry.request.method !== "GET") {
        // A submission: the emulator's job stands for the recorded one from here on.
        const emulatorId =
          isRecord(bodies.emulator) && typeof bodies.emulator.jobId === "string"
            ? bodies.emulator.jobId
            : undefined;
        jobs.set(recordedJob.id, {
          submittedAt: at,
          ...(emulatorId ? { emulatorId } : { skip: "the emulator started no job for this submission" }),
        });
      } else if (
        recordedJob &&
        lastPoll.get(recordedJob.id) === index &&
        (jobState(bodies.recorded) === undefined || TERMINAL.has(jobState(bodies.recorded) ?? ""))
      ) {
        // The last recorded poll, final (or unreadable, which the spec check reports): the emulator
        // gets time to finish too, its durations being its own.
        let waited = 0;
        while (
          !TERMINAL.has(jobState(bodies.emulator) ?? "") &&
          emulator.status === 200 &&
          waited < maxJobMs
        ) {
          const step = Math.min(Math.max(1_000, waited), maxJobMs - waited);
          await advanceTo(at + step);
          waited += step;
          emulator = await send((await emulatorRequest(entry)).request);
          emulatorText = await emulator.clone().text();
          bodies = { ...bodies, emulator: parseJson(emulatorText) };
        }
        const states = { recorded: jobState(bodies.recorded), emulator: jobState(bodies.emulator) };
        if (states.recorded !== undefined && states.recorded !== states.emulator)
          finalState = {
            category: "fidelity-gap",
            kind: "job-state",
            recorded: states.recorded,
            emulator: states.emulator ?? null,
            problem: `the job ended ${states.recorded} in the recording, ${states.emulator ?? "in no state"} in the emulator (given ${waited} ms more)`,
          };
        // Each output URL of the recording stands for the one at the same place in the emulator's answer.
        const emulatorStrings = new Map(strings(bodies.emulator));
        for (const [pointer, value] of strings(bodies.recorded)) {
          const where = location(value) ?? (/^https?:\/\//.test(value) ? urlLocation(value) : undefined);
          const mine = emulatorStrings.get(pointer);
          if (where && mine && /^https?:\/\//.test(mine)) counterparts.set(where, { url: mine });
        }
      } else if (recordedJob) {
        // A poll on the way: states follow each service's own durations; only like states compare.
        compareBodies = jobState(bodies.recorded) === jobState(bodies.emulator);
      }
      const valid = await compare(index, entry, recorded, emulator, built.request.url, bodies, compareBodies);
      // A job's end is a fidelity gap only where both answers meet the spec.
      if (finalState && valid) record(index, entry, finalState);
    }
  } finally {
    stop.abort();
  }
  return report;
}

/** A value for the report: URLs without their query, where a pre-signed URL keeps its signature. */
function withoutQueries(value: unknown): unknown {
  return mapStrings(value, (text) => (/^https?:\/\//i.test(text) ? (text.split("?")[0] ?? text) : text));
}

function bodyGap(
  difference: BodyDifference,
): Omit<CassetteDifference, "entry" | "method" | "path" | "operationId" | "category"> {
  const show = (value: unknown) => {
    const text = JSON.stringify(value) ?? "undefined";
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  };
  const at = difference.pointer || "(root)";
  const problem = {
    missing: `${at} is in the recorded answer, not in the emulator's`,
    extra: `${at} is in the emulator's answer, not in the recorded one`,
    type: `${at} is a ${String(difference.recorded)} in the recorded answer, a ${String(difference.emulator)} in the emulator's`,
    value: `${at} is ${show(difference.recorded)} in the recorded answer, ${show(difference.emulator)} in the emulator's`,
  }[difference.kind];
  return {
    kind: difference.kind,
    pointer: difference.pointer,
    ...("recorded" in difference && { recorded: withoutQueries(difference.recorded) }),
    ...("emulator" in difference && { emulator: withoutQueries(difference.emulator) }),
    problem,
  };
}
