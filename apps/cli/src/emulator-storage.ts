import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { redactUrl } from "@psapi/core";
import { writeFileAtomic } from "@psapi/core/files";
import { createEmulatorControl, EmulatorControlError } from "@psapi/mock-server/control";
import { CliError, usageError } from "./cli-error.js";

/** An object the API will write, and how to fetch it once the job is done. */
export interface ReservedOutput {
  /** The pre-signed PUT URL to give the API as `output.href`. */
  readonly href: string;
  /**
   * Downloads the object to `path` (atomically: a failed download leaves no partial file).
   * @returns The bytes written.
   */
  download(path: string, signal: AbortSignal): Promise<Uint8Array>;
}

/** The emulator's storage, reached through its control API (`@psapi/mock-server/control`). */
export interface EmulatorStorage {
  /**
   * Uploads a local file and returns a pre-signed GET URL the API can read it from.
   * @throws {CliError} When the target has no emulator storage.
   */
  upload(path: string, signal: AbortSignal): Promise<{ href: string; bytes: number }>;
  /** Reserves a key for a result named `name` and pre-signs a PUT URL for it. */
  reserveOutput(name: string, signal: AbortSignal): Promise<ReservedOutput>;
  /**
   * The same operations under keys the caller chooses (`psapi batch`, whose keys must stay the same
   * across runs so that a job accepted before a crash can be downloaded after it).
   */
  readonly keyed: {
    /** Uploads a local file under `key`; resolves with a pre-signed GET URL. */
    upload(key: string, path: string, signal: AbortSignal): Promise<string>;
    /** A pre-signed PUT URL for `key`. */
    outputUrl(key: string, signal: AbortSignal): Promise<string>;
    /** Downloads `key` to `path` atomically; resolves with the byte count. */
    download(key: string, path: string, signal: AbortSignal): Promise<number>;
  };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".psd": "image/vnd.adobe.photoshop",
};

/**
 * The storage of the emulator at `origin`: what lets the CLI use a local file as `<input>` and
 * write the result to `--out`, since the API itself only reads and writes URLs.
 *
 * @param options - The emulator's `origin` and the `fetch` that reaches it.
 * @example
 * const storage = createEmulatorStorage({ origin: "http://127.0.0.1:4010", fetch });
 * const { href } = await storage.upload("cat.png", signal);
 */
export function createEmulatorStorage(options: {
  origin: string;
  fetch: typeof globalThis.fetch;
}): EmulatorStorage {
  const { origin, fetch } = options;
  const prefix = `psapi-cli/${randomUUID()}`;

  const control = createEmulatorControl({ baseUrl: origin, fetch: (request) => fetch(request) });

  async function presign(key: string, method: "GET" | "PUT", signal: AbortSignal): Promise<string> {
    try {
      return (await control.presign(key, method, { signal })).url;
    } catch (error) {
      if (error instanceof EmulatorControlError && (error.status === 404 || error.status === 405)) {
        throw usageError(
          `${origin} has no emulator storage, so a local file cannot be uploaded there`,
          "upload the file yourself and pass pre-signed URLs with --input-url and --output-url",
        );
      }
      // An answer that is not the control API's (another server on that port): not JSON, or an error.
      if (error instanceof EmulatorControlError || error instanceof SyntaxError) {
        const status = error instanceof EmulatorControlError ? error.status : 200;
        throw new CliError(`the emulator's storage at ${origin} refused to pre-sign a URL (HTTP ${status})`);
      }
      throw error;
    }
  }

  async function transfer(url: string, init: RequestInit, what: string): Promise<Response> {
    const response = await fetch(url, init);
    if (!response.ok) {
      throw new CliError(`${what} ${redactUrl(url)} failed (HTTP ${response.status})`);
    }
    return response;
  }

  async function upload(key: string, path: string, signal: AbortSignal) {
    const bytes = await readFile(path);
    const url = await presign(key, "PUT", signal);
    const contentType = CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
    await transfer(
      url,
      { method: "PUT", headers: { "content-type": contentType }, body: bytes, signal },
      "upload to",
    );
    return { href: await presign(key, "GET", signal), bytes: bytes.byteLength };
  }

  async function download(key: string, path: string, signal: AbortSignal) {
    const url = await presign(key, "GET", signal);
    const response = await transfer(url, { signal }, "download from");
    const bytes = new Uint8Array(await response.arrayBuffer());
    await writeFileAtomic(path, bytes);
    return bytes;
  }

  return {
    upload: (path, signal) => upload(`${prefix}/input/${basename(path)}`, path, signal),
    async reserveOutput(name, signal) {
      const key = `${prefix}/output/${name}`;
      const href = await presign(key, "PUT", signal);
      return { href, download: (path, downloadSignal) => download(key, path, downloadSignal) };
    },
    keyed: {
      upload: async (key, path, signal) => (await upload(key, path, signal)).href,
      outputUrl: (key, signal) => presign(key, "PUT", signal),
      download: async (key, path, signal) => (await download(key, path, signal)).byteLength,
    },
  };
}
