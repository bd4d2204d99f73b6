import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { type Clock, type FetchLike, redactUrl, systemClock } from "@psapi/core";
import { writeFileAtomic } from "@psapi/core/files";

/**
 * A hosted result that could not be fetched, with what a caller words its own message from: the
 * URL without its signature, and either the HTTP status of the GET or the time the URL expired.
 */
export class HostedResultError extends Error {
  override readonly name = "HostedResultError";
  /** The result's URL, its query (the signature) redacted. */
  readonly url: string;
  /** The status of the GET; `undefined` when the URL had expired and was not asked. */
  readonly status: number | undefined;
  /** When the URL expired; `undefined` when the GET failed. */
  readonly expiredAt: Date | undefined;

  constructor(fields: { url: string; status?: number; expiredAt?: Date }) {
    const url = redactUrl(fields.url);
    super(
      fields.expiredAt === undefined
        ? `download of the result from ${url} failed (HTTP ${fields.status}); hosted results are short-lived`
        : `the result at ${url} expired at ${fields.expiredAt.toISOString()}`,
    );
    this.url = url;
    this.status = fields.status;
    this.expiredAt = fields.expiredAt;
  }
}

/** How {@link fetchHostedResult} and {@link downloadHostedResult} reach a result. */
export interface HostedResultOptions {
  /** Sends the GET; no credentials are added (the URL carries its own signature). */
  readonly fetch: FetchLike;
  readonly signal?: AbortSignal;
  /** The status's `expiresAt`: an expired URL is refused without a request. */
  readonly expiresAt?: Date;
  /** What `expiresAt` is compared with. Default: the system clock. */
  readonly clock?: Pick<Clock, "now">;
}

/**
 * GETs a hosted result (a pre-signed URL: Adobe's or the emulator's storage), with no credentials:
 * the token never leaves the API's origins.
 *
 * @returns The successful response, its body unread.
 * @throws {HostedResultError} When the URL has expired or the answer is not 2xx.
 */
export async function fetchHostedResult(url: string, options: HostedResultOptions): Promise<Response> {
  const { expiresAt, clock = systemClock } = options;
  if (expiresAt !== undefined && expiresAt.getTime() <= clock.now()) {
    throw new HostedResultError({ url, expiredAt: expiresAt });
  }
  const response = await options.fetch(
    new Request(url, options.signal === undefined ? {} : { signal: options.signal }),
  );
  if (!response.ok) {
    await response.body?.cancel();
    throw new HostedResultError({ url, status: response.status });
  }
  return response;
}

/**
 * Downloads a hosted result to `path`, whole or not at all (a temporary file renamed into place),
 * creating its directory. The one downloader of hosted results: `psapi`'s job commands and the
 * batch runner both use it.
 *
 * @returns The bytes written.
 * @throws {HostedResultError} When the URL has expired or the answer is not 2xx.
 * @example
 * const bytes = await downloadHostedResult(file.url, "out/cat-cutout.png", { fetch: globalThis.fetch });
 */
export async function downloadHostedResult(
  url: string,
  path: string,
  options: HostedResultOptions,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(await (await fetchHostedResult(url, options)).arrayBuffer());
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, bytes);
  return bytes;
}

/**
 * The file name of the `index`-th (from 0) mask of a mask-objects job: `<n>-<label>.png`, the label
 * made file-name safe (`Left Arm` → `1-left-arm.png`; no label → `1-region.png`).
 *
 * @example
 * maskFileName(0, "Left Arm") // "1-left-arm.png"
 */
export function maskFileName(index: number, label: string | undefined): string {
  const slug = (label ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${index + 1}-${slug || "region"}.png`;
}
