import { type Clock, isRecord } from "@psapi/core";
import { CassetteMissError, type RequestSummary } from "./errors.js";
import { BLOB_THRESHOLD_BYTES, type CassetteEntry, sha256 } from "./format.js";
import { resolveOperation } from "./operations.js";
import { isTextType, redactBody, redactionContext, redactUrlParams } from "./redaction.js";

/*
 * Replay's matching, shared by `recordingFetch` (in-process) and the emulator's `--replay` server:
 * one implementation, so a cassette replays the same way through both.
 */

/** Statuses whose responses cannot carry a body. */
export const NULL_BODY = new Set([101, 204, 205, 304]);

/** A UUID (any version): clients put fresh ones in storage keys on every run. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path parameters compared exactly: a job id routes polls to their job's timeline. */
const EXACT_PARAMS = new Set(["jobId"]);

/** Whether a body stays in the HAR: text, and JSON or a form (which redaction must reach) or small. */
export function staysInline(mimeType: string, size: number): boolean {
  return isTextType(mimeType) && (/json|form/i.test(mimeType) || size <= BLOB_THRESHOLD_BYTES);
}

/**
 * A storage path or key with every UUID-shaped segment (between `/`, after percent-decoding)
 * replaced by `{uuid}`: `psapi-cli/0b5c…/input/a.png` and `psapi-cli/77e1…/input/a.png` match.
 *
 * @example
 * canonicalPath("/o/psapi-cli%2F0b5c3c1e-9d7e-4a51-8f7e-2b1b7d0c2a11%2Fa.png") // "/o/psapi-cli/{uuid}/a.png"
 */
export function canonicalPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: compared as sent.
  }
  return decoded
    .split("/")
    .map((segment) => (UUID.test(segment) ? "{uuid}" : segment))
    .join("/");
}

/**
 * The canonical form of a JSON value for matching: keys sorted, every URL reduced to
 * `{{storage}}<path>` (its origin and signature change on every run), and the UUID-shaped
 * segments of those paths and of `key` fields (a presign's key) made `{uuid}`.
 */
export function canonicalJson(value: unknown, field?: string): unknown {
  if (typeof value === "string") {
    const placeholder = /^\{\{storage:\d+\}\}(.*)$/.exec(value);
    if (placeholder) return `{{storage}}${canonicalPath(placeholder[1] ?? "")}`;
    if (/^https?:\/\//i.test(value)) {
      try {
        return `{{storage}}${canonicalPath(new URL(value).pathname)}`;
      } catch {
        return value;
      }
    }
    return field === "key" ? canonicalPath(value) : value;
  }
  if (Array.isArray(value)) return value.map((item) => canonicalJson(item));
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonicalJson(value[key], key)]),
  );
}

/** A body as matching compares it: canonical JSON, a sorted form, other text as is, bytes by hash. */
export function canonicalBody(text: string | undefined, mimeType: string, blob: string | undefined): string {
  if (blob) return `blob:${blob}`;
  if (text === undefined || text === "") return "";
  if (/x-www-form-urlencoded/i.test(mimeType))
    return [...new URLSearchParams(text)]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => `${name}=${value}`)
      .join("&");
  if (/json/i.test(mimeType)) {
    try {
      return JSON.stringify(canonicalJson(JSON.parse(text)));
    } catch {
      return text;
    }
  }
  return text;
}

/** Path parameters as matching compares them: sorted, UUID segments of all but a job id normalised. */
function canonicalParams(params: Record<string, string>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(params)
        .sort()
        .map((name) => [name, EXACT_PARAMS.has(name) ? params[name] : canonicalPath(params[name] ?? "")]),
    ),
  );
}

/** What matching compares (and, for the miss error, the URL without its query). */
export interface MatchKey {
  method: string;
  /** The operation id, or the canonical path when no operation of our specs matches (storage). */
  operation: string;
  params: string;
  body: string;
  url: string;
}

/** Keys are computed once per entry: every request compares against all of them. */
const keys = new WeakMap<CassetteEntry, MatchKey>();

/** The match key of a recorded entry. */
export function entryKey(entry: CassetteEntry): MatchKey {
  const known = keys.get(entry);
  if (known) return known;
  const post = entry.request.postData;
  const key: MatchKey = {
    method: entry.request.method,
    operation: entry._psapi.operationId ?? canonicalPath(new URL(entry.request.url).pathname),
    params: canonicalParams(entry._psapi.pathParams ?? {}),
    body: canonicalBody(post?.text, post?.mimeType ?? "", post?._psapi?.blob),
    url: entry.request.url.split("?")[0] ?? "",
  };
  keys.set(entry, key);
  return key;
}

/**
 * The match key of a live request, redacted by the recorder's rules first, so that a client secret
 * or token in it never decides a match.
 *
 * @param body The request's body (empty for GET and HEAD).
 */
export function requestKey(request: Request, body: Uint8Array): MatchKey {
  const operation = resolveOperation(request.method, request.url);
  const mimeType = request.headers.get("content-type") ?? "application/octet-stream";
  let text: string | undefined;
  let blob: string | undefined;
  if (body.length > 0 && staysInline(mimeType, body.length))
    text = redactBody(new TextDecoder().decode(body), mimeType, "request", redactionContext());
  else if (body.length > 0) blob = sha256(body);
  return {
    method: request.method,
    operation: operation?.operationId ?? canonicalPath(new URL(request.url).pathname),
    params: canonicalParams(operation?.pathParams ?? {}),
    body: canonicalBody(text, mimeType, blob),
    url: redactUrlParams(request.url, "request", redactionContext()).split("?")[0] ?? "",
  };
}

/** What {@link sameKey} compares, as one string. */
const keyText = (key: MatchKey) => JSON.stringify([key.method, key.operation, key.params, key.body]);

const sameKey = (a: MatchKey, b: MatchKey) =>
  a.method === b.method && a.operation === b.operation && a.params === b.params && a.body === b.body;

/** The first place two canonical bodies differ, as a line for a miss error. */
function bodyDifference(recorded: string, live: string): string {
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const walk = (a: unknown, b: unknown, path: string): string | undefined => {
    if (isRecord(a) && isRecord(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const found = walk(a[key], b[key], `${path}.${key}`);
        if (found) return found;
      }
      return undefined;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const found = walk(a[i], b[i], `${path}[${i}]`);
        if (found) return found;
      }
      return undefined;
    }
    return JSON.stringify(a) === JSON.stringify(b)
      ? undefined
      : `body ${path}: recorded ${JSON.stringify(a) ?? "nothing"}, got ${JSON.stringify(b) ?? "nothing"}`;
  };
  try {
    return walk(parse(recorded), parse(live), "$") ?? "body differs";
  } catch {
    // A body nested deeper than the stack (outside input): the miss is still answered.
    return "body differs";
  }
}

/** One recorded entry and how often replay served it (`GET /__emulator/cassette`, `recordingFetch`'s `unused()`). */
export interface CassetteEntryUse {
  /** Its index in `log.entries`. */
  index: number;
  method: string;
  /** The operation id, or the URL's path where no operation of our specs matches (storage). */
  operation: string;
  /** The recorded URL without its query. */
  url: string;
  /** The recorded answer's status. */
  status: number;
  /** The job it belongs to and its time on the job's timeline. */
  job?: { id: string; t: number };
  /** How often it was served since start or the last reset. */
  served: number;
}

/** A replayed cassette's entries and the indices of those never served. */
export interface CassetteUse {
  entries: CassetteEntryUse[];
  /**
   * Entries never served, but for a status poll of a job whose timeline was served (a client
   * polling at another rate skips recorded states).
   */
  unused: number[];
}

/** Options of {@link createReplayer}. */
export interface ReplayerOptions {
  /** The cassette's name, for the miss error. */
  file: string;
  /** The recorded entries (the array itself: record-missing adds to it). */
  entries: readonly CassetteEntry[];
  /** Replay's time: a job's timeline runs on it from its replayed submission. */
  clock: Pick<Clock, "now">;
}

/** Replay's state over a cassette's entries: which answer a request gets, and the misses. */
export interface Replayer {
  /**
   * The entry that answers `key` now, counted as played (a replayed submission starts its job's
   * timeline), or `undefined` when none matches.
   */
  take(key: MatchKey): CassetteEntry | undefined;
  /** The error for a request nothing matches, naming the nearest entry and what differs. */
  miss(key: MatchKey): CassetteMissError;
  /** How often an entry was served. */
  played(entry: CassetteEntry): number;
  /** Every entry with how often it was served, and those never served. */
  use(): CassetteUse;
  /** Forgets what was played and every job's start. */
  reset(): void;
}

/**
 * Replay's matching and timelines (see the README's "Matching and replay").
 *
 * @example
 * const replayer = createReplayer({ file, entries: har.log.entries, clock });
 * const entry = replayer.take(requestKey(request, body)) ?? raise(replayer.miss(key));
 */
export function createReplayer(options: ReplayerOptions): Replayer {
  const { file, entries, clock } = options;
  const played = new Map<CassetteEntry, number>();
  /** When each job started on replay's clock. */
  const started = new Map<string, number>();

  const summary = (key: MatchKey): RequestSummary => ({
    method: key.method,
    operation: key.operation,
    url: key.url,
  });

  const pick = (candidates: CassetteEntry[]): CassetteEntry => {
    const first = candidates[0] as CassetteEntry;
    const job = first._psapi.job;
    if (
      job &&
      first.request.method === "GET" &&
      candidates.every((entry) => entry._psapi.job?.id === job.id)
    ) {
      // A status poll: the job's recorded timeline on replay's clock, whatever the poll rate; the last state stays.
      const start = started.get(job.id) ?? clock.now();
      started.set(job.id, start);
      const elapsed = clock.now() - start;
      const timeline = [...candidates].sort((a, b) => (a._psapi.job?.t ?? 0) - (b._psapi.job?.t ?? 0));
      return timeline.filter((entry) => (entry._psapi.job?.t ?? 0) <= elapsed).at(-1) ?? first;
    }
    // Anything else: the recorded answers in order, then the last one again.
    return candidates.find((entry) => !played.has(entry)) ?? (candidates.at(-1) as CassetteEntry);
  };

  return {
    take(key) {
      const candidates = entries.filter((entry) => sameKey(entryKey(entry), key));
      if (candidates.length === 0) return undefined;
      const entry = pick(candidates);
      played.set(entry, (played.get(entry) ?? 0) + 1);
      const job = entry._psapi.job;
      if (job && entry.request.method !== "GET" && !started.has(job.id)) started.set(job.id, clock.now());
      return entry;
    },
    miss(key) {
      let best: { entry: CassetteEntry; index: number; score: number; key: MatchKey } | undefined;
      entries.forEach((entry, index) => {
        const other = entryKey(entry);
        const score =
          (other.method === key.method ? 8 : 0) +
          (other.operation === key.operation ? 4 : 0) +
          (other.params === key.params ? 2 : 0) +
          (other.body === key.body ? 1 : 0);
        if (!best || score > best.score) best = { entry, index, score, key: other };
      });
      if (!best) return new CassetteMissError(file, summary(key), undefined, []);
      const { entry, index, key: other } = best;
      const differences: string[] = [];
      if (other.method !== key.method)
        differences.push(`method: recorded ${other.method}, got ${key.method}`);
      if (other.operation !== key.operation)
        differences.push(`operation: recorded ${other.operation}, got ${key.operation}`);
      if (other.params !== key.params)
        differences.push(`path parameters: recorded ${other.params}, got ${key.params}`);
      if (other.body !== key.body) differences.push(bodyDifference(other.body, key.body));
      return new CassetteMissError(
        file,
        summary(key),
        { ...summary(other), index, played: played.get(entry) ?? 0 },
        differences,
      );
    },
    played: (entry) => played.get(entry) ?? 0,
    use() {
      const isPoll = (entry: CassetteEntry) =>
        entry._psapi.job !== undefined && entry.request.method === "GET";
      const list = entries.map((entry, index): CassetteEntryUse => {
        const { job, operationId } = entry._psapi;
        return {
          index,
          method: entry.request.method,
          operation: operationId ?? canonicalPath(new URL(entry.request.url).pathname),
          url: entry.request.url.split("?")[0] ?? "",
          status: entry.response.status,
          ...(job && { job: { id: job.id, t: job.t } }),
          served: played.get(entry) ?? 0,
        };
      });
      // A poll's timeline is served as a whole: the states a client's poll rate skipped are not unused.
      const servedPolls = new Set(
        entries
          .filter((entry) => isPoll(entry) && played.has(entry))
          .map((entry) => keyText(entryKey(entry))),
      );
      const unused = list
        .filter(({ index, served }) => {
          const entry = entries[index] as CassetteEntry;
          return served === 0 && !(isPoll(entry) && servedPolls.has(keyText(entryKey(entry))));
        })
        .map(({ index }) => index);
      return { entries: list, unused };
    },
    reset() {
      played.clear();
      started.clear();
    },
  };
}

/** How a replayed answer's text and headers are rewritten (placeholders, origins, tokens). */
export interface ResponseRewrite {
  /** Applied to a text body (not to a blob). */
  text?(text: string): string;
  /** Applied to each header value kept. */
  header?(name: string, value: string): string;
}

/**
 * An entry's recorded answer as a `Response`: its status and headers (no length or encoding: the
 * body is decoded), its body from the HAR or its blob, rewritten by `rewrite`.
 */
export function replayResponse(
  entry: CassetteEntry,
  blobs: ReadonlyMap<string, Uint8Array>,
  rewrite: ResponseRewrite = {},
): Response {
  const { response } = entry;
  const headers = new Headers();
  for (const { name, value } of response.headers)
    if (!/^(content-length|content-encoding|transfer-encoding)$/i.test(name))
      headers.append(name, rewrite.header ? rewrite.header(name, value) : value);
  let body: BodyInit | null = null;
  const blob = response.content._psapi?.blob;
  if (blob) body = (blobs.get(blob) ?? new Uint8Array()) as Uint8Array<ArrayBuffer>;
  else if (response.content.text !== undefined)
    body = rewrite.text ? rewrite.text(response.content.text) : response.content.text;
  return new Response(NULL_BODY.has(response.status) ? null : body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
