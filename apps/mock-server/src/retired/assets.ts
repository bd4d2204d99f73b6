import { ServiceError } from "../http/errors.js";
import type { EmulatorTime } from "../lib/clock.js";
import type { AddressGuard } from "../lib/net-guard.js";
import type { ObjectStore } from "../storage/object-store.js";
import { isValidKey, OBJECTS_PATH, type SignedMethod, type UrlSigner } from "../storage/signing.js";

/** A job's input or output reference, as in the request body. */
export interface AssetRef {
  href: string;
  storage?: string;
  overwrite?: boolean;
}

/** What {@link AssetMover} needs. */
export interface AssetMoverDeps {
  store: ObjectStore;
  signer: UrlSigner;
  time: EmulatorTime;
  allowedHosts: readonly string[];
  fetch: (request: Request) => Promise<Response>;
  fetchTimeoutMs: number;
  maxObjectBytes: number;
  /** Refuses allow-listed names that resolve to local addresses; absent with an injected `fetch`. */
  guardAddress?: AddressGuard;
}

type Target = { kind: "store"; key: string } | { kind: "remote"; url: URL };

const DOWNLOAD = "Asset Download Error";
const UPLOAD = "Asset Upload Error";

function linkInvalid(name: string, reason: string): ServiceError {
  return new ServiceError(410, {
    type: "FileLinkInvalidError",
    code: 410,
    title: "Asset Link Invalid",
    details: [{ name, reason }],
  });
}

/** A missing input object: 404 `ResourceNotFound`, as photoshop.yaml's `NotFound` declares. */
function inputNotFound(reason: string): ServiceError {
  return new ServiceError(404, {
    type: "ResourceNotFound",
    code: 404,
    title: "Requested resource was not found",
    details: [{ name: DOWNLOAD, reason }],
  });
}

function overwriteError(): ServiceError {
  return new ServiceError(409, {
    type: "FileOverwriteError",
    code: 409,
    title: "Unable to upload asset",
    details: [{ name: UPLOAD, reason: "File exists and overwrite is disabled" }],
  });
}

/** Why a transfer was cut short (its message is safe to show: no href). */
class TransferAborted extends Error {
  override readonly name = "TransferAborted";
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Whether `host` (`hostname[:port]`) is on the allow-list (`host[:port]` or `*.domain`). */
export function isAllowedHost(allowedHosts: readonly string[], url: URL): boolean {
  const host = url.host.toLowerCase();
  return allowedHosts.some((entry) => {
    const allowed = entry.toLowerCase();
    return allowed.startsWith("*.")
      ? url.hostname.toLowerCase().endsWith(allowed.slice(1))
      : host === allowed;
  });
}

/** Whether the allow-list names this URL's host (and port, if it gives one) exactly, not by wildcard. */
function isExactlyAllowed(allowedHosts: readonly string[], url: URL): boolean {
  const host = url.host.toLowerCase();
  return allowedHosts.some((entry) => entry.toLowerCase() === host);
}

/**
 * Moves job inputs and outputs. The emulator's own storage (its pre-signed URLs, or `adobe`
 * storage paths, which map to object keys) is read and written directly, with signatures checked;
 * anything else only over https to an allow-listed host, with a timeout, no redirects and a size
 * cap, so a job can never be pointed at an arbitrary address. Error details never contain the
 * href, whose query string may be a credential.
 */
export class AssetMover {
  readonly #deps: AssetMoverDeps;

  constructor(deps: AssetMoverDeps) {
    this.#deps = deps;
  }

  /**
   * Downloads a job input.
   *
   * @param ownOrigins - origins under which this emulator is reachable.
   * @param signal - aborted by a reset or shutdown: the transfer stops.
   * @throws ServiceError 404 `ResourceNotFound` when the input object does not exist (own store, or
   *   an allow-listed host answering 404); 410 `FileLinkInvalidError` when the href is unusable
   *   (expired or tampered signature, unreachable or refused host, other error status); 400 when too large.
   * @param onBytes - told of each part of the body as it arrives (its size); what it throws stops
   *   the download and is thrown as is (the current contract counts downloads against `maxJobBytes`).
   */
  async download(
    ref: AssetRef,
    ownOrigins: ReadonlySet<string>,
    signal: AbortSignal,
    onBytes?: (bytes: number) => void,
  ): Promise<Uint8Array> {
    const target = this.#resolve(ref, "GET", ownOrigins, DOWNLOAD);
    if (target.kind === "store") {
      const object = this.#deps.store.get(target.key);
      if (!object) throw inputNotFound("Unable to download the input href: no object at that location.");
      onBytes?.(object.bytes.byteLength);
      return object.bytes;
    }
    // One deadline (on the emulator's clock) covers the answer and the whole body.
    return this.#withDeadline(DOWNLOAD, signal, async (deadline) => {
      const response = await this.#send(new Request(target.url, { redirect: "error" }), DOWNLOAD, deadline);
      if (!response.ok) {
        await response.body?.cancel();
        if (response.status === 404) {
          throw inputNotFound("Unable to download the input href: it answered HTTP 404.");
        }
        throw linkInvalid(
          DOWNLOAD,
          `Unable to download the input href: it answered HTTP ${response.status}.`,
        );
      }
      return this.#readCapped(response, deadline, onBytes);
    });
  }

  /**
   * Uploads a job output with PUT. With `overwrite: false`, the built-in store refuses an existing
   * key; an allow-listed host is first asked with HEAD (a 2xx means the object exists), then the
   * PUT carries `If-None-Match: *` and a 412 answer counts as "exists" too (S3 and Azure honour it;
   * a host that answers HEAD with 403/404 and ignores the condition gets overwritten).
   *
   * @param signal - aborted by a reset or shutdown: nothing is written after it.
   * @throws ServiceError 409 `FileOverwriteError` when the object exists and `overwrite` is false; 410 when the href is unusable.
   */
  async upload(
    ref: AssetRef,
    bytes: Uint8Array,
    contentType: string,
    ownOrigins: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<void> {
    const target = this.#resolve(ref, "PUT", ownOrigins, UPLOAD);
    const keep = ref.overwrite === false;
    if (target.kind === "store") {
      // A job that outlived a reset must not write into the fresh store.
      if (signal.aborted) throw linkInvalid(UPLOAD, "The emulator was reset or stopped.");
      if (keep && this.#deps.store.has(target.key)) throw overwriteError();
      this.#deps.store.put(target.key, bytes, contentType, this.#deps.time.now());
      return;
    }
    await this.#withDeadline(UPLOAD, signal, async (deadline) => {
      if (keep) {
        const head = await this.#send(
          new Request(target.url, { method: "HEAD", redirect: "error" }),
          UPLOAD,
          deadline,
        );
        await head.body?.cancel();
        if (head.ok) throw overwriteError();
      }
      const request = new Request(target.url, {
        method: "PUT",
        body: new Uint8Array(bytes),
        headers: { "content-type": contentType, ...(keep ? { "if-none-match": "*" } : {}) },
        redirect: "error",
      });
      const response = await this.#send(request, UPLOAD, deadline);
      await response.body?.cancel();
      if (keep && response.status === 412) throw overwriteError();
      if (!response.ok) {
        throw linkInvalid(
          UPLOAD,
          `Unable to upload to the output href: it answered HTTP ${response.status}.`,
        );
      }
    });
  }

  #resolve(ref: AssetRef, method: SignedMethod, ownOrigins: ReadonlySet<string>, name: string): Target {
    if (ref.storage === "adobe") {
      // Adobe (Creative Cloud) paths such as files/Example.psd map onto object keys of the own store.
      const key = ref.href.replace(/^\//, "");
      if (!isValidKey(key)) throw linkInvalid(name, "The href is not a valid storage path.");
      return { kind: "store", key };
    }
    let url: URL;
    try {
      url = new URL(ref.href);
    } catch {
      throw linkInvalid(name, "The href is not an absolute URL.");
    }
    if (ownOrigins.has(url.origin)) {
      if (!url.pathname.startsWith(OBJECTS_PATH))
        throw linkInvalid(name, "The href is not a storage object URL.");
      let key: string;
      try {
        key = decodeURIComponent(url.pathname.slice(OBJECTS_PATH.length));
      } catch {
        throw linkInvalid(name, "The href is not a valid storage path.");
      }
      const problem = isValidKey(key)
        ? this.#deps.signer.check(method, key, url.searchParams, this.#deps.time.now())
        : "missing";
      if (problem === "expired") throw linkInvalid(name, "The link has expired.");
      if (problem) throw linkInvalid(name, `The link is not a valid pre-signed ${method} URL.`);
      return { kind: "store", key };
    }
    if (url.protocol !== "https:") throw linkInvalid(name, "Only https URLs are fetched from other hosts.");
    if (!isAllowedHost(this.#deps.allowedHosts, url)) {
      throw linkInvalid(name, `Host ${url.host} is not on the emulator's allow-list (allowedHosts).`);
    }
    return { kind: "remote", url };
  }

  /**
   * Runs one remote transfer under a deadline of `fetchTimeoutMs` on the emulator's clock (so an
   * injected clock drives it), also aborted by `signal` (reset, shutdown).
   */
  async #withDeadline<T>(
    name: string,
    signal: AbortSignal,
    work: (deadline: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = new AbortController();
    const stopTimer = new AbortController();
    const onAbort = () => deadline.abort(new TransferAborted("The emulator was reset or stopped."));
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    const timeoutMs = this.#deps.fetchTimeoutMs;
    this.#deps.time.sleep(timeoutMs, stopTimer.signal).then(
      () => deadline.abort(new TransferAborted(`The transfer timed out after ${timeoutMs} ms.`)),
      () => undefined,
    );
    try {
      return await work(deadline.signal);
    } catch (error) {
      if (deadline.signal.aborted && !(error instanceof ServiceError && error.status === 409)) {
        throw linkInvalid(name, (deadline.signal.reason as TransferAborted).message);
      }
      throw error;
    } finally {
      stopTimer.abort();
      signal.removeEventListener("abort", onAbort);
    }
  }

  async #send(request: Request, name: string, deadline: AbortSignal): Promise<Response> {
    const url = new URL(request.url);
    const guard = this.#deps.guardAddress;
    if (guard) {
      // A slow DNS answer counts against the same deadline.
      const refused = await untilAborted(
        guard(url, isExactlyAllowed(this.#deps.allowedHosts, url)),
        deadline,
      );
      if (refused) throw linkInvalid(name, refused);
    }
    try {
      // Raced against the deadline too, for a fetch that ignores its signal.
      return await untilAborted(this.#deps.fetch(new Request(request, { signal: deadline })), deadline);
    } catch (error) {
      if (deadline.aborted) throw error;
      throw linkInvalid(name, "The href could not be reached (network error or redirect).");
    }
  }

  async #readCapped(
    response: Response,
    deadline: AbortSignal,
    onBytes?: (bytes: number) => void,
  ): Promise<Uint8Array> {
    const max = this.#deps.maxObjectBytes;
    const tooLarge = () =>
      new ServiceError(400, {
        type: "InputValidationError",
        code: 400,
        title: `The input is larger than ${max} bytes`,
        details: [{ name: "input.href", reason: `larger than ${max} bytes` }],
      });
    if (Number(response.headers.get("content-length") ?? 0) > max) {
      await response.body?.cancel();
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    if (!reader) return new Uint8Array();
    // Cancelling the reader ends a pending read even when the body's source never answers.
    const cancel = () => void reader.cancel().catch(() => undefined);
    deadline.addEventListener("abort", cancel, { once: true });
    let refused: unknown;
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        size += read.value.byteLength;
        if (size > max) throw tooLarge();
        try {
          onBytes?.(read.value.byteLength);
        } catch (error) {
          refused = error;
          throw error;
        }
        chunks.push(read.value);
      }
      if (deadline.aborted) throw deadline.reason;
    } catch (error) {
      cancel();
      if (error === refused || error instanceof ServiceError || deadline.aborted) throw error;
      throw linkInvalid(DOWNLOAD, "The download was interrupted.");
    } finally {
      deadline.removeEventListener("abort", cancel);
    }
    return Buffer.concat(chunks);
  }
}
