import { isRecord } from "@psapi/core";
import type { JobStatus } from "../types.js";

/** A rectangle in pixels, origin top-left: masking's `boundingBox`, normalised to `x`/`y`. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One result file of a finished job, whatever the status shape it came in. */
export interface JobOutputFile {
  /** Where it sits in the status body: `result.outputs[0]`, `semanticMasks[2]`, `mask`, `image`, … */
  readonly from: string;
  /** Its URL (Adobe-hosted, the emulator's storage, or your own pre-signed URL echoed); absent when embedded. */
  readonly url?: string;
  /** The embedded result (`destination.content`) of a v2 output with an `embedded` destination. */
  readonly content?: unknown;
  readonly mediaType?: string;
  /**
   * When `url` stops working, read from its signature (`expires`, S3/Google `X-Amz-`/`X-Goog-Date`
   * + `…-Expires`, Azure `se`). Absent when the URL does not say: Adobe documents no lifetime for
   * its hosted results, so download them promptly either way.
   */
  readonly expiresAt?: Date;
  /** Masking: what the region is (`dog`, `Left Arm`, …). */
  readonly label?: string;
  /** Masking: the detection score, 0-1. */
  readonly score?: number;
  /** Masking: the region, as `{x, y, width, height}` even when Adobe sent `{left, top, …}`. */
  readonly boundingBox?: Box;
}

const MASKING_RESULTS = ["semanticMasks", "backgroundMasks", "masks", "mask", "image"] as const;

/**
 * Every result file of a final status body of the current contract, in order: a v2 status's
 * `result.outputs[]` (the `{destination: {url}}` form and the flat `{url}` form) and a masking
 * status's top-level results (`semanticMasks`, `backgroundMasks`, `masks`, `mask`, `image`). The
 * retired contract wrote results to your own URLs, so a Sensei or psdService status lists none.
 * Untrusted input: entries of the wrong type are skipped.
 *
 * @param status - A status body, e.g. what `job.wait()` resolved with.
 * @example
 * const done = await (await client.removeBackground({ image: { source: { url } }, mode: "mask" })).wait();
 * const [mask] = jobOutputs(done); // { url, mediaType: "image/png", expiresAt }
 */
export function jobOutputs(status: JobStatus): JobOutputFile[] {
  const files: JobOutputFile[] = [];
  const body: Record<string, unknown> = isRecord(status) ? status : {};
  const add = (from: string, item: unknown) => {
    if (!isRecord(item)) return;
    const destination = isRecord(item.destination) ? item.destination : item;
    const url = text(destination.url);
    const box = isRecord(item.boundingBox) ? item.boundingBox : undefined;
    const x = box?.x ?? box?.left;
    const y = box?.y ?? box?.top;
    const file: Record<string, unknown> = {
      from,
      url,
      expiresAt: url === undefined ? undefined : urlExpiry(url),
      content: destination.content,
      mediaType: text(item.mediaType),
      label: text(item.label),
      score: typeof item.score === "number" ? item.score : undefined,
      boundingBox:
        typeof x === "number" && typeof y === "number"
          ? { x, y, width: Number(box?.width), height: Number(box?.height) }
          : undefined,
    };
    // Only the keys it has, so a file prints and compares as what it is.
    for (const key of Object.keys(file)) if (file[key] === undefined) delete file[key];
    files.push(file as unknown as JobOutputFile);
  };
  const result = isRecord(body.result) ? body.result : undefined;
  for (const [from, value] of [
    ["result.outputs", result?.outputs],
    ...MASKING_RESULTS.map((key) => [key, body[key]]),
  ]) {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) add(`${from}[${index}]`, item);
    } else add(String(from), value);
  }
  return files;
}

/**
 * When a pre-signed URL expires, as its own query says, or undefined when it does not. Reads the
 * emulator's and S3 SigV2's `expires`/`Expires` (Unix seconds), S3 SigV4's `X-Amz-Date` +
 * `X-Amz-Expires`, Google V4's `X-Goog-Date` + `X-Goog-Expires`, and Azure SAS's `se`.
 *
 * @example
 * urlExpiry("https://b.s3.amazonaws.com/k?X-Amz-Date=20261123T180000Z&X-Amz-Expires=3600") // 2026-11-23T19:00:00Z
 */
export function urlExpiry(url: string): Date | undefined {
  let query: URLSearchParams;
  try {
    query = new URL(url).searchParams;
  } catch {
    return undefined;
  }
  const seconds = (value: string | null) =>
    value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
  const absolute = seconds(query.get("expires") ?? query.get("Expires"));
  if (absolute !== undefined) return new Date(absolute * 1000);
  for (const vendor of ["X-Amz", "X-Goog"]) {
    const start = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(query.get(`${vendor}-Date`) ?? "");
    const lifetime = seconds(query.get(`${vendor}-Expires`));
    if (start !== null && lifetime !== undefined) {
      const [, year, month, day, hour, minute, second] = start.map(Number) as number[];
      return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second) + lifetime * 1000);
    }
  }
  const azure = Date.parse(query.get("se") ?? "");
  return Number.isNaN(azure) ? undefined : new Date(azure);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
