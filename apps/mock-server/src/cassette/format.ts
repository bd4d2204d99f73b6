import { createHash } from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { isRecord } from "@psapi/core";
import { writeFileAtomic } from "@psapi/core/files";
import type { Content, Entry, Har, Log, PostDataCommon } from "har-format";

/** HAR 1.2 `postData` with its text (HAR allows `params` instead; psapi always writes `text`). */
type PostDataText = PostDataCommon & { text: string };

import { CassetteFormatError } from "./errors.js";

/** Bodies larger than this, and every body of a non-text type, go to a blob beside the cassette. */
export const BLOB_THRESHOLD_BYTES = 16 * 1024;

/** A body stored in `<cassette>.blobs/<sha256>`, decoded (never gzip, base64 or hex). */
export interface BlobRef {
  /** The SHA-256 of the bytes, lowercase hex: the blob's file name. */
  blob: string;
}

/** psapi's data on one exchange (`entry._psapi`). */
export interface PsapiEntryData {
  /** The spec's operationId (`removeBackgroundV2`, `getToken`), absent for storage and unknown URLs. */
  operationId?: string;
  /** The spec file that declares it (`photoshop-current.yaml`). */
  spec?: string;
  /** The operation's path parameters (`{ jobId }`). */
  pathParams?: Record<string, string>;
  /** The job this exchange belongs to and when, in ms after its submission: the replay timeline. */
  job?: { id: string; t: number };
  /** The redaction rules that fired on this entry, e.g. `request.header:authorization`. */
  redactions: string[];
  /**
   * The lifetime left when the answer arrived, in seconds rounded up, of each pre-signed URL of the
   * response body that became a `{{storage:<n>}}` placeholder, by the JSON pointer of the string
   * that holds it (`/result/outputs/0/destination/url`): `--replay` signs its URL for as long.
   * Absent (older cassettes, or a URL that does not say when it expires): 3600 s.
   */
  storageLifetimes?: Record<string, number>;
}

/** psapi's data on the whole cassette (`log._psapi`). */
export interface PsapiLogData {
  /** This format's version. */
  format: 1;
  /** When the recording started (ISO 8601). */
  recordedAt: string;
  /** The origins the requests went to. */
  recordedAgainst: string[];
  /** SHA-256 of the spec files the operation ids came from, in `SPEC_NAMES` order. */
  specSha256: string;
  /** Where each `{{storage:<n>}}` placeholder pointed: its origin (the path stays in the text). */
  storage: Record<string, { origin: string }>;
}

/** A HAR entry as psapi writes it. */
export type CassetteEntry = Omit<Entry, "request" | "response"> & {
  _psapi: PsapiEntryData;
  /** A request body in a blob has `text: ""`: HAR 1.2 has no binary `postData`. */
  request: Omit<Entry["request"], "postData"> & { postData?: PostDataText & { _psapi?: BlobRef } };
  response: Omit<Entry["response"], "content"> & { content: Content & { _psapi?: BlobRef } };
};

/** A HAR 1.2 document as psapi writes it. */
export type CassetteHar = Omit<Har, "log"> & {
  log: Omit<Log, "entries"> & { _psapi: PsapiLogData; entries: CassetteEntry[] };
};

/** A cassette in memory: the HAR and the blobs its entries name. */
export interface Cassette {
  har: CassetteHar;
  blobs: Map<string, Uint8Array>;
  /** The file it was read from (`readCassette` sets it), for errors that name the cassette. */
  file?: string;
}

/** The blob folder of a cassette file. */
export function blobDirectory(file: string): string {
  return `${file}.blobs`;
}

/** SHA-256 of bytes, lowercase hex. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** An HTTP token (RFC 9110 §5.6.2): what a method or header name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What fetch carries in a header value: Latin-1, no line break or NUL (RFC 9110 §5.5). */
const FIELD_VALUE = /^[^\0\r\n\u0100-\uffff]*$/;
/** What fetch carries in a status text (RFC 9112 §4: HTAB, SP, VCHAR, obs-text). */
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** The longest recorded storage URL lifetime replay signs for: ten years, in seconds. */
const MAX_LIFETIME_SECONDS = 315_360_000;
/** Methods `fetch` refuses to send. */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/** Whether a string is an http(s) origin as `URL.origin` spells it. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === text;
  } catch {
    return false;
  }
}

/**
 * Checks that a parsed JSON value is a psapi cassette: HAR 1.2 with the fields replay relies on and
 * psapi's `_psapi` data. The first problem is thrown as a {@link CassetteFormatError}.
 *
 * @param value The parsed file.
 * @param file The file's name, for the error.
 * @returns The value, typed.
 */
export function validateCassette(value: unknown, file: string): CassetteHar {
  const fail = (pointer: string, problem: string): never => {
    throw new CassetteFormatError(file, pointer, problem);
  };
  const object = (item: unknown, pointer: string): Record<string, unknown> =>
    isRecord(item) ? item : fail(pointer, "must be an object");
  const string = (item: unknown, pointer: string): string =>
    typeof item === "string" ? item : fail(pointer, "must be a string");
  const number = (item: unknown, pointer: string): number =>
    typeof item === "number" && Number.isFinite(item) ? item : fail(pointer, "must be a number");
  const array = (item: unknown, pointer: string): unknown[] =>
    Array.isArray(item) ? item : fail(pointer, "must be an array");
  // Replay and diff build fetch Requests and Responses from these: what fetch refuses is refused here.
  const headers = (item: unknown, pointer: string) =>
    array(item, pointer).forEach((header, i) => {
      const h = object(header, `${pointer}/${i}`);
      if (!TOKEN.test(string(h.name, `${pointer}/${i}/name`)))
        fail(`${pointer}/${i}/name`, "must be an HTTP header name (a token)");
      if (!FIELD_VALUE.test(string(h.value, `${pointer}/${i}/value`)))
        fail(`${pointer}/${i}/value`, "must be an HTTP header value (Latin-1, no line break)");
    });
  const blob = (item: unknown, pointer: string) => {
    if (item === undefined) return;
    const ref = object(item, pointer);
    if (typeof ref.blob !== "string" || !/^[0-9a-f]{64}$/.test(ref.blob))
      fail(`${pointer}/blob`, "must be a SHA-256 in lowercase hex");
  };

  const log = object(object(value, "").log, "/log");
  if (log.version !== "1.2") fail("/log/version", 'must be "1.2"');
  const creator = object(log.creator, "/log/creator");
  string(creator.name, "/log/creator/name");
  string(creator.version, "/log/creator/version");
  const psapi = object(log._psapi, "/log/_psapi");
  if (psapi.format !== 1) fail("/log/_psapi/format", "must be 1 (the only format this psapi reads)");
  string(psapi.recordedAt, "/log/_psapi/recordedAt");
  string(psapi.specSha256, "/log/_psapi/specSha256");
  array(psapi.recordedAgainst, "/log/_psapi/recordedAgainst").forEach((origin, i) => {
    if (!isOrigin(string(origin, `/log/_psapi/recordedAgainst/${i}`)))
      fail(`/log/_psapi/recordedAgainst/${i}`, "must be an http(s) origin such as https://image.adobe.io");
  });
  for (const [n, place] of Object.entries(object(psapi.storage, "/log/_psapi/storage"))) {
    if (!/^[1-9]\d{0,5}$/.test(n))
      fail(`/log/_psapi/storage/${n}`, "must be numbered as its {{storage:<n>}} placeholders (1, 2, …)");
    const origin = string(
      object(place, `/log/_psapi/storage/${n}`).origin,
      `/log/_psapi/storage/${n}/origin`,
    );
    if (!isOrigin(origin))
      fail(
        `/log/_psapi/storage/${n}/origin`,
        "must be an http(s) origin such as https://bucket.s3.amazonaws.com",
      );
  }
  array(log.entries, "/log/entries").forEach((item, i) => {
    const at = `/log/entries/${i}`;
    const entry = object(item, at);
    if (Number.isNaN(Date.parse(string(entry.startedDateTime, `${at}/startedDateTime`))))
      fail(`${at}/startedDateTime`, "must be an ISO 8601 date");
    number(entry.time, `${at}/time`);
    object(entry.timings, `${at}/timings`);
    const request = object(entry.request, `${at}/request`);
    const method = string(request.method, `${at}/request/method`);
    if (!TOKEN.test(method) || FORBIDDEN_METHODS.has(method.toUpperCase()))
      fail(`${at}/request/method`, "must be an HTTP method fetch can send (not CONNECT, TRACE or TRACK)");
    let url: URL | undefined;
    try {
      url = new URL(string(request.url, `${at}/request/url`));
    } catch {
      fail(`${at}/request/url`, "must be an absolute URL");
    }
    if (url?.protocol !== "http:" && url?.protocol !== "https:")
      fail(`${at}/request/url`, "must be an http(s) URL");
    headers(request.headers, `${at}/request/headers`);
    if (request.postData !== undefined) {
      const post = object(request.postData, `${at}/request/postData`);
      string(post.mimeType, `${at}/request/postData/mimeType`);
      if (post.text !== undefined) string(post.text, `${at}/request/postData/text`);
      blob(post._psapi, `${at}/request/postData/_psapi`);
    }
    const response = object(entry.response, `${at}/response`);
    const status = number(response.status, `${at}/response/status`);
    // A fetch Response cannot carry a 1xx (nor can a recorder have seen one through fetch).
    if (!Number.isInteger(status) || status < 200 || status > 599)
      fail(`${at}/response/status`, "must be an HTTP status of a final answer (200-599)");
    if (
      response.statusText !== undefined &&
      !REASON_PHRASE.test(string(response.statusText, `${at}/response/statusText`))
    )
      fail(`${at}/response/statusText`, "must be an HTTP reason phrase (Latin-1, no line break)");
    headers(response.headers, `${at}/response/headers`);
    const content = object(response.content, `${at}/response/content`);
    number(content.size, `${at}/response/content/size`);
    string(content.mimeType, `${at}/response/content/mimeType`);
    if (content.text !== undefined) string(content.text, `${at}/response/content/text`);
    if (content.encoding !== undefined)
      fail(`${at}/response/content/encoding`, "is not used by psapi (binary bodies are blobs)");
    blob(content._psapi, `${at}/response/content/_psapi`);
    const data = object(entry._psapi, `${at}/_psapi`);
    if (data.operationId !== undefined) string(data.operationId, `${at}/_psapi/operationId`);
    array(data.redactions, `${at}/_psapi/redactions`).forEach((rule, r) => {
      string(rule, `${at}/_psapi/redactions/${r}`);
    });
    if (data.pathParams !== undefined)
      for (const [name, param] of Object.entries(object(data.pathParams, `${at}/_psapi/pathParams`)))
        string(param, `${at}/_psapi/pathParams/${name}`);
    if (data.storageLifetimes !== undefined)
      for (const [place, seconds] of Object.entries(
        object(data.storageLifetimes, `${at}/_psapi/storageLifetimes`),
      ))
        if (
          !Number.isSafeInteger(seconds) ||
          (seconds as number) < 0 ||
          (seconds as number) > MAX_LIFETIME_SECONDS
        )
          fail(
            `${at}/_psapi/storageLifetimes/${place.replace(/~/g, "~0").replace(/\//g, "~1")}`,
            `must be a whole number of seconds from 0 to ${MAX_LIFETIME_SECONDS} (ten years)`,
          );
    if (data.job !== undefined) {
      const job = object(data.job, `${at}/_psapi/job`);
      string(job.id, `${at}/_psapi/job/id`);
      if (number(job.t, `${at}/_psapi/job/t`) < 0)
        fail(`${at}/_psapi/job/t`, "must be 0 or more (ms after the job's submission)");
    }
  });
  return value as CassetteHar;
}

/** The blob references of a HAR, with where each is. */
export function blobRefs(har: CassetteHar): { sha: string; pointer: string }[] {
  const refs: { sha: string; pointer: string }[] = [];
  har.log.entries.forEach((entry, i) => {
    const post = entry.request.postData?._psapi?.blob;
    if (post) refs.push({ sha: post, pointer: `/log/entries/${i}/request/postData` });
    const content = entry.response.content._psapi?.blob;
    if (content) refs.push({ sha: content, pointer: `/log/entries/${i}/response/content` });
  });
  return refs;
}

/**
 * Reads and validates a cassette and its blobs (each checked against its hash).
 *
 * @param file The `.har` file.
 * @returns The cassette.
 * @throws CassetteFormatError when the file is not JSON, not a psapi cassette, or a blob is missing or altered.
 */
export async function readCassette(file: string): Promise<Cassette> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CassetteFormatError(
      file,
      "",
      `cannot be read (${(error as { code?: string }).code ?? "error"})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CassetteFormatError(file, "", "is not JSON");
  }
  const har = validateCassette(parsed, file);
  const blobs = new Map<string, Uint8Array>();
  for (const { sha, pointer } of blobRefs(har)) {
    if (blobs.has(sha)) continue;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(`${blobDirectory(file)}/${sha}`));
    } catch {
      throw new CassetteFormatError(file, pointer, `names blob ${sha}, which is missing`);
    }
    if (sha256(bytes) !== sha)
      throw new CassetteFormatError(file, pointer, `names blob ${sha}, whose bytes do not match its hash`);
    blobs.set(sha, bytes);
  }
  return { har, blobs, file };
}

/** Whether a cassette file exists. */
export async function cassetteExists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a cassette: its blobs first (content-addressed, so rewriting one is harmless), then the HAR
 * atomically, with stable two-space JSON so that re-recordings diff well. Callers scan it for secrets
 * first (`writeCassette` is the raw write; the recorder's `save` is the guarded one).
 */
export async function writeCassette(file: string, cassette: Cassette): Promise<void> {
  const refs = blobRefs(cassette.har);
  if (refs.length > 0) await mkdir(blobDirectory(file), { recursive: true });
  else await mkdir(dirname(file), { recursive: true });
  for (const { sha } of refs) {
    const bytes = cassette.blobs.get(sha);
    if (!bytes)
      throw new CassetteFormatError(file, "", `names blob ${sha}, which the cassette does not hold`);
    await writeFileAtomic(`${blobDirectory(file)}/${sha}`, bytes);
  }
  await writeFileAtomic(file, `${JSON.stringify(cassette.har, null, 2)}\n`);
}
