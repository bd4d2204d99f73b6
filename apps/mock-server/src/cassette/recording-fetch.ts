import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { type Clock, isRecord, REDACTED, systemClock } from "@psapi/core";
import { CassetteSecretError } from "./errors.js";
import {
  type Cassette,
  type CassetteEntry,
  type CassetteHar,
  readCassette,
  sha256,
  writeCassette,
} from "./format.js";
import { psapiVersion, resolveOperation, specSha256 } from "./operations.js";
import {
  findSecrets,
  type RedactionContext,
  redactBody,
  redactHeaders,
  redactionContext,
  redactUrlParams,
} from "./redaction.js";
import {
  type CassetteEntryUse,
  createReplayer,
  NULL_BODY,
  replayResponse,
  requestKey,
  staysInline,
} from "./replayer.js";

/**
 * `record`: every request goes upstream and is recorded (an existing cassette is replaced on save).
 * `replay`: answered from the cassette only; a request it lacks fails with {@link CassetteMissError}.
 * `record-missing`: replayed when recorded, otherwise sent upstream and added.
 * `passthrough`: sent upstream, nothing recorded.
 */
export type CassetteMode = "record" | "replay" | "record-missing" | "passthrough";

/** The upstream: Adobe's hosts in real use, an emulator in tests. */
export type UpstreamFetch = (request: Request) => Promise<Response>;

/** Options of {@link recordingFetch}. */
export interface RecordingFetchOptions {
  /** The cassette file (`.har`); its blobs live in `<cassette>.blobs/`. */
  cassette: string;
  /** Default: `replay` when the cassette exists, else `record`. */
  mode?: CassetteMode;
  /** The upstream fetch; needed by every mode but `replay`. Default `globalThis.fetch`. */
  fetch?: UpstreamFetch;
  /** Live secret values besides those the recorder sees in secret places; `save` refuses a cassette holding one. */
  secrets?: readonly string[];
  /** Time for `startedDateTime`, the job timelines and replay's position on them. Default the real clock. */
  clock?: Pick<Clock, "now">;
}

/** A recording or replaying `fetch` and what it holds. */
export interface RecordingFetch {
  /** The mode in force. */
  readonly mode: CassetteMode;
  /** Use it wherever a `fetch` goes (the client's and auth's `fetch` options). */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** The entries recorded or loaded so far (redacted). */
  entries(): readonly CassetteEntry[];
  /**
   * The entries of the cassette read from the file that were never replayed (a test suite that no
   * longer exercises part of its cassette), with how often each was served (0): in `replay` and
   * `record-missing` modes; entries recorded in this session are never unused. A status poll of a
   * job whose timeline was replayed is not unused even when the client's poll rate skipped its
   * recorded state.
   */
  unused(): Promise<CassetteEntryUse[]>;
  /**
   * Writes the cassette (record and record-missing; nothing otherwise) after scanning it and its
   * blobs for every live secret seen. Call it when the session succeeded.
   *
   * @throws CassetteSecretError when a secret survived redaction: nothing is written.
   */
  save(): Promise<void>;
}

const TOKEN_OPERATIONS = new Set(["getToken", "exchangeJwt"]);
const TOKEN_FIELDS = ["access_token", "refresh_token", "id_token"];
/** Where redaction places a response body's findings. */
const RESPONSE_BODY = "response.body";

function headerList(headers: Headers): { name: string; value: string }[] {
  return [...headers].map(([name, value]) => ({ name, value }));
}

/**
 * A `fetch` that records exchanges into a HAR 1.2 cassette, or replays them from one with
 * job-aware semantics (see the README's "Cassettes").
 *
 * @example
 * const recorder = recordingFetch({ cassette: "remove-background.har", mode: "record", fetch: upstream });
 * const client = createPhotoshopClient({ auth, fetch: recorder.fetch });
 * await (await client.removeBackground(request)).wait();
 * await recorder.save();
 */
export function recordingFetch(options: RecordingFetchOptions): RecordingFetch {
  const file = options.cassette;
  const mode: CassetteMode = options.mode ?? (existsSync(file) ? "replay" : "record");
  const upstream = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const clock = options.clock ?? systemClock;
  const recordedAt = new Date(clock.now()).toISOString();
  const entries: CassetteEntry[] = [];
  const blobs = new Map<string, Uint8Array>();
  const storage = new Map<string, number>();
  const seen = new Set<string>(options.secrets ?? []);
  const origins = new Set<string>();
  /** Submission time of each job, recording's clock: the zero of its timeline. */
  const submittedAt = new Map<string, number>();
  let storageOrigins: Record<string, { origin: string }> = {};

  // Replay: the same matching and timelines as the emulator's --replay server.
  const replayer = createReplayer({ file, entries, clock });
  /** Entries recorded in this session (never unused). */
  const recorded = new WeakSet<CassetteEntry>();

  const loading: Promise<void> =
    mode === "replay" || (mode === "record-missing" && existsSync(file))
      ? readCassette(file).then(({ har, blobs: stored }) => {
          entries.push(...har.log.entries);
          for (const [sha, bytes] of stored) blobs.set(sha, bytes);
          storageOrigins = { ...har.log._psapi.storage };
          for (const [n, { origin }] of Object.entries(storageOrigins)) storage.set(origin, Number(n));
          for (const origin of har.log._psapi.recordedAgainst) origins.add(origin);
        })
      : Promise.resolve();
  // A load failure surfaces on the first request, not as an unhandled rejection.
  loading.catch(() => {});

  /** A body for the HAR: text inline (redacted), bytes or large text in a blob. */
  const storeBody = (
    bytes: Uint8Array,
    mimeType: string,
    where: string,
    context: RedactionContext,
  ): { text?: string; blob?: string } => {
    if (bytes.length === 0) return {};
    if (staysInline(mimeType, bytes.length))
      return { text: redactBody(new TextDecoder().decode(bytes), mimeType, where, context) };
    const sha = sha256(bytes);
    blobs.set(sha, bytes);
    return { blob: sha };
  };

  const replay = (entry: CassetteEntry): Response => {
    const fresh = entry._psapi.operationId && TOKEN_OPERATIONS.has(entry._psapi.operationId);
    return recordedResponse(entry, storageOrigins, blobs, fresh ? freshTokens : undefined);
  };

  const record = async (request: Request, body: Uint8Array): Promise<Response> => {
    const started = clock.now();
    const response = await upstream(request);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const time = Math.max(0, clock.now() - started);
    const context = redactionContext(storage);
    const operation = resolveOperation(request.method, request.url);
    origins.add(new URL(request.url).origin);
    const requestType = request.headers.get("content-type") ?? "application/octet-stream";
    const responseType = response.headers.get("content-type") ?? "application/octet-stream";
    const postBody = body.length > 0 ? storeBody(body, requestType, "request.body", context) : undefined;
    const content = storeBody(bytes, responseType, RESPONSE_BODY, context);
    const url = redactUrlParams(request.url, "request.url", context);
    // What is left of each placeholder URL's lifetime when the answer arrived, rounded up (expiries
    // are whole seconds, signing times are not): replay signs for as long.
    const answeredAt = started + time;
    const lifetimes: Record<string, number> = {};
    for (const [place, expiry] of context.expiries)
      if (place.startsWith(RESPONSE_BODY))
        lifetimes[place.slice(RESPONSE_BODY.length)] = Math.max(0, Math.ceil((expiry - answeredAt) / 1000));

    let job: { id: string; t: number } | undefined;
    const jobId = jobIdOf(bytes, responseType);
    if (jobId && response.ok && request.method !== "GET") {
      submittedAt.set(jobId, started);
      job = { id: jobId, t: 0 };
    } else if (operation?.pathParams.jobId) {
      const id = operation.pathParams.jobId;
      const zero = submittedAt.get(id) ?? started;
      submittedAt.set(id, zero);
      // A clock set back while recording must not write a timeline replay refuses.
      job = { id, t: Math.max(0, started - zero) };
    }

    const entry: CassetteEntry = {
      startedDateTime: new Date(started).toISOString(),
      time,
      request: {
        method: request.method,
        url,
        httpVersion: "HTTP/1.1",
        cookies: [],
        headers: redactHeaders(headerList(request.headers), "request", context),
        queryString: [...new URL(url).searchParams].map(([name, value]) => ({ name, value })),
        headersSize: -1,
        bodySize: body.length,
        ...(postBody && {
          postData: {
            mimeType: requestType,
            text: postBody.text ?? "",
            ...(postBody.blob && { _psapi: { blob: postBody.blob } }),
          },
        }),
      },
      response: {
        status: response.status,
        statusText: response.statusText,
        httpVersion: "HTTP/1.1",
        cookies: [],
        headers: redactHeaders(headerList(response.headers), "response", context),
        content: {
          size: bytes.length,
          mimeType: responseType,
          ...(content.text !== undefined && { text: content.text }),
          ...(content.blob && { _psapi: { blob: content.blob } }),
        },
        redirectURL: "",
        headersSize: -1,
        bodySize: bytes.length,
      },
      cache: {},
      timings: { send: 0, wait: time, receive: 0 },
      _psapi: {
        ...(operation && {
          operationId: operation.operationId,
          spec: operation.spec,
          pathParams: operation.pathParams,
        }),
        ...(job && { job }),
        redactions: context.fired,
        ...(Object.keys(lifetimes).length > 0 && { storageLifetimes: lifetimes }),
      },
    };
    entries.push(entry);
    recorded.add(entry);
    for (const value of context.seen) seen.add(value);
    return new Response(NULL_BODY.has(response.status) ? null : bytes, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  return {
    mode,
    entries: () => entries,
    async unused() {
      await loading;
      const use = replayer.use();
      return use.unused
        .map((index) => use.entries[index] as CassetteEntryUse)
        .filter(({ index }) => !recorded.has(entries[index] as CassetteEntry));
    },
    async fetch(input, init) {
      await loading;
      const request = new Request(input, init);
      if (mode === "passthrough") return upstream(request);
      const body =
        request.method === "GET" || request.method === "HEAD"
          ? new Uint8Array()
          : new Uint8Array(await request.clone().arrayBuffer());
      if (mode === "replay" || mode === "record-missing") {
        const key = requestKey(request, body);
        const entry = replayer.take(key);
        if (entry) return replay(entry);
        if (mode === "replay") throw replayer.miss(key);
      }
      return record(request, body);
    },
    async save() {
      if (mode === "replay" || mode === "passthrough") return;
      await loading;
      for (const [origin, n] of storage) storageOrigins[String(n)] = { origin };
      const har: CassetteHar = {
        log: {
          version: "1.2",
          creator: { name: "@psapi/mock-server", version: psapiVersion() },
          entries,
          _psapi: {
            format: 1,
            recordedAt,
            recordedAgainst: [...origins].sort(),
            specSha256: specSha256(),
            storage: storageOrigins,
          },
        },
      };
      const secrets = [...seen].filter((value) => value !== REDACTED);
      const hits = findSecrets(har, blobs, secrets);
      if (hits.length > 0) throw new CassetteSecretError(hits);
      const cassette: Cassette = { har, blobs };
      await writeCassette(file, cassette);
    },
  };
}

/**
 * The response an entry recorded, as a `Response`: its status and headers (no length or encoding:
 * the body is decoded), its body from the HAR or its blob, with each `{{storage:<n>}}` placeholder
 * turned back into the origin it stood for.
 *
 * @param entry The entry.
 * @param storage The cassette's `log._psapi.storage`.
 * @param blobs The cassette's blobs.
 * @param transform Applied to a text body last (replay gives IMS answers fresh tokens).
 */
export function recordedResponse(
  entry: CassetteEntry,
  storage: Readonly<Record<string, { origin: string }>>,
  blobs: ReadonlyMap<string, Uint8Array>,
  transform?: (text: string) => string,
): Response {
  return replayResponse(entry, blobs, {
    text(text) {
      const restored = text.replace(
        /\{\{storage:(\d+)\}\}/g,
        (placeholder, n: string) => storage[n]?.origin ?? placeholder,
      );
      return transform ? transform(restored) : restored;
    },
  });
}

/** The `jobId` a submission's JSON answer names, if any. */
function jobIdOf(bytes: Uint8Array, mimeType: string): string | undefined {
  if (!/json/i.test(mimeType) || bytes.length === 0 || bytes.length > 1024 * 1024) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isRecord(value) && typeof value.jobId === "string" ? value.jobId : undefined;
  } catch {
    return undefined;
  }
}

/** A recorded IMS answer with fresh synthetic tokens where the real ones were (tokens are never stored). */
function freshTokens(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value)) return text;
    for (const field of TOKEN_FIELDS)
      if (value[field] === REDACTED) value[field] = `psapi-replay-${field}-${randomUUID()}`;
    return JSON.stringify(value);
  } catch {
    return text;
  }
}
