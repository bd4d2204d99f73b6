import type { FaultRuleInput } from "@psapi/mock-server";
import type { GlobalFetchLike } from "../conformance/recording-fetch.js";

/** One job of `GET /__emulator/jobs` (`JobSummary` in `openapi/emulator.yaml`), the fields the suites read. */
export interface JobSummary {
  readonly jobId: string;
  readonly kind: string;
  readonly status: string;
}

/** The emulator's control API and storage, driven over HTTP like any other client would. */
export interface EmulatorControl {
  /** A pre-signed URL for one object key. */
  presign(key: string, method: "GET" | "PUT", expiresIn?: number): Promise<string>;
  /** Uploads bytes under `key` with a pre-signed PUT, and returns a pre-signed GET URL for them. */
  upload(key: string, bytes: Uint8Array<ArrayBuffer>, contentType: string): Promise<string>;
  /** Downloads the object under `key` with a pre-signed GET. */
  download(key: string): Promise<Uint8Array>;
  /** `POST /__emulator/reset`. */
  reset(): Promise<void>;
  /** `POST /__emulator/clock/advance`. */
  advanceClock(ms: number): Promise<void>;
  /** `POST /__emulator/tokens/revoke`; resolves with whether anything was revoked. */
  revokeTokens(target?: { token?: string; clientId?: string }): Promise<boolean>;
  /** `POST /__emulator/faults`; resolves with the rule's id. */
  addFault(rule: FaultRuleInput): Promise<string>;
  /** `GET /__emulator/jobs`. */
  jobs(): Promise<JobSummary[]>;
}

/**
 * Typed calls to the emulator's control API over the given fetch (the suites pass the recording
 * fetch, so the control API's answers are held against `openapi/emulator.yaml` too).
 *
 * @param baseUrl The emulator's origin.
 * @param fetch How to reach it.
 * @returns The control calls; each throws on an answer it did not expect.
 * @throws Error from a call when the emulator answers with an unexpected status.
 * @example
 * const control = emulatorControl(baseUrl, recorder.fetch);
 * const input = await control.upload("in/coffee.png", coffee, "image/png");
 */
export function emulatorControl(baseUrl: string, fetch: GlobalFetchLike): EmulatorControl {
  async function call(method: string, path: string, expected: number, body?: unknown): Promise<Response> {
    const response = await fetch(
      new Request(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    if (response.status !== expected) {
      const text = await response.text();
      throw new Error(
        `${method} ${path} answered ${response.status}, expected ${expected}: ${text.slice(0, 300)}`,
      );
    }
    return response;
  }
  const json = async <T>(method: string, path: string, expected: number, body?: unknown) =>
    (await (await call(method, path, expected, body)).json()) as T;
  const presign = async (key: string, method: "GET" | "PUT", expiresIn?: number) =>
    (await json<{ url: string }>("POST", "/__emulator/storage/presign", 200, { key, method, expiresIn })).url;
  return {
    presign,
    async upload(key, bytes, contentType) {
      const put = await fetch(
        new Request(await presign(key, "PUT"), {
          method: "PUT",
          body: bytes,
          headers: { "content-type": contentType },
        }),
      );
      await put.arrayBuffer();
      if (put.status !== 200) throw new Error(`PUT of ${key} answered ${put.status}`);
      return presign(key, "GET");
    },
    async download(key) {
      const response = await fetch(new Request(await presign(key, "GET")));
      if (response.status !== 200) throw new Error(`GET of ${key} answered ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    reset: async () => {
      await call("POST", "/__emulator/reset", 204);
    },
    advanceClock: async (ms) => {
      await json("POST", "/__emulator/clock/advance", 200, { ms });
    },
    revokeTokens: async (target = {}) =>
      (await json<{ revoked: boolean }>("POST", "/__emulator/tokens/revoke", 200, target)).revoked,
    addFault: async (rule) => (await json<{ id: string }>("POST", "/__emulator/faults", 201, rule)).id,
    jobs: async () => (await json<{ jobs: JobSummary[] }>("GET", "/__emulator/jobs", 200)).jobs,
  };
}
