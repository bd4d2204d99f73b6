import type { EmulatorTime } from "./clock.js";
import { ServiceError } from "./errors.js";
import type { ObjectStore } from "./storage/object-store.js";
import { isValidKey, OBJECTS_PATH, type SignedMethod, type UrlSigner } from "./storage/signing.js";

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
   * @throws ServiceError 410 `FileLinkInvalidError` when the input cannot be read; 400 when too large.
   */
  async download(ref: AssetRef, ownOrigins: ReadonlySet<string>): Promise<Uint8Array> {
    const target = this.#resolve(ref, "GET", ownOrigins, DOWNLOAD);
    if (target.kind === "store") {
      const object = this.#deps.store.get(target.key);
      if (!object)
        throw linkInvalid(DOWNLOAD, "Unable to download the input href: no object at that location.");
      return object.bytes;
    }
    const response = await this.#send(new Request(target.url, { redirect: "error" }), DOWNLOAD);
    if (!response.ok) {
      await response.body?.cancel();
      throw linkInvalid(DOWNLOAD, `Unable to download the input href: it answered HTTP ${response.status}.`);
    }
    return this.#readCapped(response);
  }

  /**
   * Uploads a job output with PUT.
   *
   * @throws ServiceError 409 `FileOverwriteError` when the object exists and `overwrite` is false; 410 when the href is unusable.
   */
  async upload(
    ref: AssetRef,
    bytes: Uint8Array,
    contentType: string,
    ownOrigins: ReadonlySet<string>,
  ): Promise<void> {
    const target = this.#resolve(ref, "PUT", ownOrigins, UPLOAD);
    if (target.kind === "store") {
      if (ref.overwrite === false && this.#deps.store.has(target.key)) {
        throw new ServiceError(409, {
          type: "FileOverwriteError",
          code: 409,
          title: "Unable to upload asset",
          details: [{ name: UPLOAD, reason: "File exists and overwrite is disabled" }],
        });
      }
      this.#deps.store.put(target.key, bytes, contentType, this.#deps.time.now());
      return;
    }
    const request = new Request(target.url, {
      method: "PUT",
      body: new Uint8Array(bytes),
      headers: { "content-type": contentType },
      redirect: "error",
    });
    const response = await this.#send(request, UPLOAD);
    await response.body?.cancel();
    if (!response.ok) {
      throw linkInvalid(UPLOAD, `Unable to upload to the output href: it answered HTTP ${response.status}.`);
    }
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

  async #send(request: Request, name: string): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#deps.fetchTimeoutMs);
    try {
      return await this.#deps.fetch(new Request(request, { signal: timeout }));
    } catch {
      throw linkInvalid(name, "The href could not be reached (network error, redirect or timeout).");
    }
  }

  async #readCapped(response: Response): Promise<Uint8Array> {
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
    try {
      for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
        size += read.value.byteLength;
        if (size > max) throw tooLarge();
        chunks.push(read.value);
      }
    } catch (error) {
      await reader?.cancel().catch(() => undefined);
      if (error instanceof ServiceError) throw error;
      throw linkInvalid(DOWNLOAD, "The download was interrupted.");
    }
    return Buffer.concat(chunks);
  }
}
