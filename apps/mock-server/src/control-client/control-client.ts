import type { components, operations, paths } from "@psapi/openapi-types/emulator";
import createClient, { type Client } from "openapi-fetch";

type Schemas = components["schemas"];

/** Emulator time: epoch milliseconds and the same instant in ISO 8601. */
export type EmulatorClockReading = Schemas["Clock"];
/** One job as `GET /__emulator/jobs` lists it (no hrefs: pre-signed URLs are credentials). */
export type EmulatorJobSummary = Schemas["JobSummary"];
/** One recorded request, secrets redacted. */
export type EmulatorJournalEntry = Schemas["JournalEntry"];
/** An issued access token as the control API lists it, never the token itself. */
export type EmulatorIssuedToken = Schemas["IssuedToken"];
/** Rate-limit windows and trial-quota counts. */
export type EmulatorLimitsReading = Schemas["Limits"];
/**
 * A fault rule to add: `route` (`"[METHOD ]/path/glob"`, default `"*"`) and at least one of
 * `status`, `reset` or `latencyMs`. (The generator writes the spec's "at least one of" as empty
 * alternatives, which add nothing a caller can set.)
 */
export type EmulatorFaultRuleInput = Exclude<Schemas["FaultRuleInput"], Record<string, never>>;
/** A stored fault rule, with its `id` and `hits`. */
export type EmulatorFaultRule = Schemas["FaultRule"];
/** The fault rules and the PRNG seed of the probabilistic ones. */
export type EmulatorFaultList = Schemas["FaultList"];
/** A pre-signed storage URL and when it expires. */
export type EmulatorPresigned = Schemas["PresignResponse"];
/** A replaying emulator's cassette: each entry with how often it was served, and `unused`. */
export type EmulatorCassetteUse = Schemas["CassetteUse"];
/** A one-time authorization code for `grant_type=authorization_code`. */
export type EmulatorAuthorizationCode = Schemas["AuthorizationCode"];

type Query<Operation extends keyof operations> = NonNullable<operations[Operation]["parameters"]["query"]>;
/** Filters of `GET /__emulator/jobs`. */
export type EmulatorJobsQuery = Query<"listJobs">;
/** Filters of `GET /__emulator/journal`. */
export type EmulatorJournalQuery = Query<"listJournal">;
/** Filters of `GET /__emulator/tokens`. */
export type EmulatorTokensQuery = Query<"listTokens">;

/** How to reach a fetch-like endpoint: one `Request` in, one `Response` out. */
export type EmulatorFetch = (request: Request) => Promise<Response>;

/** Options of {@link createEmulatorControl}. */
export interface EmulatorControlOptions {
  /** The emulator's origin, e.g. `http://127.0.0.1:4010` (a trailing slash is ignored). */
  baseUrl: string;
  /**
   * How requests reach the emulator. Default `globalThis.fetch`. An in-process emulator is reached
   * with `(request) => app.fetch(request)`; a test can pass a recording fetch.
   */
  fetch?: EmulatorFetch;
}

/** Per-call options. */
export interface EmulatorCallOptions {
  /** Aborts the call; its reason passes through unchanged. */
  signal?: AbortSignal;
}

/**
 * The emulator answered a control call with a status the call does not expect. Its fields say
 * which call and what came back; the body is the emulator's own error (never a credential: the
 * control API answers with none in its errors).
 */
export class EmulatorControlError extends Error {
  override readonly name = "EmulatorControlError";
  /** The call, as `METHOD /path` (the path without its query). */
  readonly operation: string;
  /** The HTTP status the emulator answered with. */
  readonly status: number;
  /** The answer's body: parsed JSON when it was JSON, else its text (clipped), or undefined. */
  readonly body: unknown;

  /**
   * @param operation - `METHOD /path`.
   * @param status - The status received.
   * @param body - The answer's body.
   */
  constructor(operation: string, status: number, body: unknown) {
    super(`[@psapi/mock-server] ${operation} answered HTTP ${status}${describeBody(body)}`);
    this.operation = operation;
    this.status = status;
    this.body = body;
  }
}

function describeBody(body: unknown): string {
  if (body === undefined || body === "") return "";
  if (typeof body === "object" && body !== null && "title" in body && typeof body.title === "string") {
    return `: ${body.title}`;
  }
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

/** The emulator's control API (`/__emulator/*`, `openapi/emulator.yaml`), typed from the spec. */
export interface EmulatorControl {
  /** The openapi-fetch client underneath, typed by `emulator.yaml`'s paths, for any other call. */
  readonly api: Client<paths>;
  /** `POST /__emulator/reset`: forgets every job, object, journal entry and token. */
  reset(options?: EmulatorCallOptions): Promise<void>;
  /** `GET /__emulator/clock`. */
  clock(options?: EmulatorCallOptions): Promise<EmulatorClockReading>;
  /** `POST /__emulator/clock/advance`: moves emulator time forward and settles the jobs that became due. */
  advanceClock(ms: number, options?: EmulatorCallOptions): Promise<EmulatorClockReading>;
  /** `GET /__emulator/jobs`. */
  jobs(query?: EmulatorJobsQuery, options?: EmulatorCallOptions): Promise<EmulatorJobSummary[]>;
  /** `GET /__emulator/journal`: recorded requests, oldest first. */
  journal(query?: EmulatorJournalQuery, options?: EmulatorCallOptions): Promise<EmulatorJournalEntry[]>;
  /** `GET /__emulator/tokens`. */
  tokens(query?: EmulatorTokensQuery, options?: EmulatorCallOptions): Promise<EmulatorIssuedToken[]>;
  /** `POST /__emulator/tokens/revoke`; resolves with whether anything was revoked. */
  revokeTokens(target?: Schemas["RevokeTokensRequest"], options?: EmulatorCallOptions): Promise<boolean>;
  /** `POST /__emulator/ims/authorization-codes`. */
  createAuthorizationCode(
    request: Schemas["AuthorizationCodeRequest"],
    options?: EmulatorCallOptions,
  ): Promise<EmulatorAuthorizationCode>;
  /** `GET /__emulator/limits`. */
  limits(options?: EmulatorCallOptions): Promise<EmulatorLimitsReading>;
  /**
   * `GET /__emulator/cassette`: on an emulator serving a cassette (`--replay`), each recorded
   * entry with how often it was served, and `unused`, the indices of those never served.
   * @throws EmulatorControlError (status 404) when the emulator serves no cassette.
   */
  cassette(options?: EmulatorCallOptions): Promise<EmulatorCassetteUse>;
  /** `GET /__emulator/faults`. */
  faults(options?: EmulatorCallOptions): Promise<EmulatorFaultList>;
  /** `POST /__emulator/faults`; resolves with the stored rule (its `id` removes it). */
  addFault(rule: EmulatorFaultRuleInput, options?: EmulatorCallOptions): Promise<EmulatorFaultRule>;
  /** `DELETE /__emulator/faults/{faultId}`; resolves with whether the rule existed. */
  removeFault(faultId: string, options?: EmulatorCallOptions): Promise<boolean>;
  /** `DELETE /__emulator/faults`. */
  clearFaults(options?: EmulatorCallOptions): Promise<void>;
  /** `POST /__emulator/storage/presign`: a pre-signed URL for one object key. */
  presign(
    key: string,
    method: "GET" | "PUT",
    options?: EmulatorCallOptions & { expiresIn?: number },
  ): Promise<EmulatorPresigned>;
  /**
   * Stores `bytes` under `key` with a pre-signed PUT.
   * @returns A pre-signed GET URL for the object (what an API call takes as its input).
   */
  putObject(
    key: string,
    bytes: Uint8Array<ArrayBuffer>,
    contentType: string,
    options?: EmulatorCallOptions,
  ): Promise<string>;
  /** Reads the object under `key` with a pre-signed GET. */
  getObject(key: string, options?: EmulatorCallOptions): Promise<Uint8Array<ArrayBuffer>>;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
  }
}

/**
 * Creates a typed client for the emulator's control API, on openapi-fetch like the product client.
 * Every method throws {@link EmulatorControlError} on an answer it does not expect.
 *
 * @param options - The emulator's `baseUrl`, and optionally the `fetch` that reaches it.
 * @returns The control calls, and the raw openapi-fetch client as `api`.
 * @throws {TypeError} When `baseUrl` is not an http(s) URL.
 * @example
 * const control = createEmulatorControl({ baseUrl: "http://127.0.0.1:4010" });
 * await control.reset();
 * const input = await control.putObject("in/cat.png", bytes, "image/png");
 * await control.addFault({ route: "POST /v2/remove-background", status: 503, times: 1 });
 * @see https://github.com/psapi/psapi/blob/main/openapi/emulator.yaml
 */
export function createEmulatorControl(options: EmulatorControlOptions): EmulatorControl {
  let origin: URL;
  try {
    origin = new URL(options.baseUrl);
  } catch {
    throw new TypeError(
      `[@psapi/mock-server] baseUrl must be an absolute http(s) URL, got ${options.baseUrl}`,
    );
  }
  if (origin.protocol !== "http:" && origin.protocol !== "https:") {
    throw new TypeError(`[@psapi/mock-server] baseUrl must be an http(s) URL, got ${origin.protocol}`);
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const fetch: EmulatorFetch = options.fetch ?? ((request) => globalThis.fetch(request));
  // An in-process emulator (`app.fetch`) ignores the signal, so an abort is honoured before sending too.
  const send: EmulatorFetch = async (request) => {
    request.signal.throwIfAborted();
    return fetch(request);
  };
  const api = createClient<paths>({ baseUrl, fetch: (request) => send(request) });

  /** Unwraps an openapi-fetch answer: its data when the status is `expected`, else a typed error. */
  async function expect<T>(
    operation: string,
    call: Promise<{ data?: T; error?: unknown; response: Response }>,
    expected: number,
  ): Promise<T> {
    const { data, error, response } = await call;
    // openapi-fetch has read the body already: its error, or data for an unexpected success.
    if (response.status !== expected)
      throw new EmulatorControlError(operation, response.status, error ?? data);
    return data as T;
  }

  async function transfer(url: string, init: RequestInit, operation: string): Promise<Response> {
    const response = await send(new Request(url, init));
    if (!response.ok) throw new EmulatorControlError(operation, response.status, await readBody(response));
    return response;
  }

  const presign: EmulatorControl["presign"] = (key, method, { signal, expiresIn } = {}) =>
    expect(
      "POST /__emulator/storage/presign",
      api.POST("/__emulator/storage/presign", {
        body: { key, method, ...(expiresIn === undefined ? {} : { expiresIn }) },
        signal,
      }),
      200,
    );

  return {
    api,
    async reset({ signal } = {}) {
      await expect("POST /__emulator/reset", api.POST("/__emulator/reset", { signal }), 204);
    },
    clock: ({ signal } = {}) =>
      expect("GET /__emulator/clock", api.GET("/__emulator/clock", { signal }), 200),
    advanceClock: (ms, { signal } = {}) =>
      expect(
        "POST /__emulator/clock/advance",
        api.POST("/__emulator/clock/advance", { body: { ms }, signal }),
        200,
      ),
    async jobs(query = {}, { signal } = {}) {
      return (
        await expect("GET /__emulator/jobs", api.GET("/__emulator/jobs", { params: { query }, signal }), 200)
      ).jobs;
    },
    async journal(query = {}, { signal } = {}) {
      return (
        await expect(
          "GET /__emulator/journal",
          api.GET("/__emulator/journal", { params: { query }, signal }),
          200,
        )
      ).entries;
    },
    async tokens(query = {}, { signal } = {}) {
      return (
        await expect(
          "GET /__emulator/tokens",
          api.GET("/__emulator/tokens", { params: { query }, signal }),
          200,
        )
      ).tokens;
    },
    async revokeTokens(target = {}, { signal } = {}) {
      return (
        await expect(
          "POST /__emulator/tokens/revoke",
          api.POST("/__emulator/tokens/revoke", { body: target, signal }),
          200,
        )
      ).revoked;
    },
    createAuthorizationCode: (request, { signal } = {}) =>
      expect(
        "POST /__emulator/ims/authorization-codes",
        api.POST("/__emulator/ims/authorization-codes", { body: request, signal }),
        201,
      ),
    limits: ({ signal } = {}) =>
      expect("GET /__emulator/limits", api.GET("/__emulator/limits", { signal }), 200),
    cassette: ({ signal } = {}) =>
      expect("GET /__emulator/cassette", api.GET("/__emulator/cassette", { signal }), 200),
    faults: ({ signal } = {}) =>
      expect("GET /__emulator/faults", api.GET("/__emulator/faults", { signal }), 200),
    addFault: (rule, { signal } = {}) =>
      expect("POST /__emulator/faults", api.POST("/__emulator/faults", { body: rule, signal }), 201),
    async removeFault(faultId, { signal } = {}) {
      const { error, response } = await api.DELETE("/__emulator/faults/{faultId}", {
        params: { path: { faultId } },
        signal,
      });
      if (response.status === 404) return false;
      if (response.status !== 204) {
        throw new EmulatorControlError("DELETE /__emulator/faults/{faultId}", response.status, error);
      }
      return true;
    },
    async clearFaults({ signal } = {}) {
      await expect("DELETE /__emulator/faults", api.DELETE("/__emulator/faults", { signal }), 204);
    },
    presign,
    async putObject(key, bytes, contentType, { signal } = {}) {
      const put = await presign(key, "PUT", { signal });
      const response = await transfer(
        put.url,
        { method: "PUT", body: bytes, headers: { "content-type": contentType }, signal },
        "PUT /__emulator/storage/objects/{key}",
      );
      await response.body?.cancel();
      return (await presign(key, "GET", { signal })).url;
    },
    async getObject(key, { signal } = {}) {
      const get = await presign(key, "GET", { signal });
      const response = await transfer(get.url, { signal }, "GET /__emulator/storage/objects/{key}");
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
