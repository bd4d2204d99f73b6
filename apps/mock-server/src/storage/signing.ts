import { createHmac, randomBytes } from "node:crypto";
import { safeEqual } from "../lib/secrets.js";

/** Methods a pre-signed URL can grant. HEAD is allowed with a GET signature, as a read. */
export type SignedMethod = "GET" | "PUT";

/** Why a signed request was refused. */
export type SignatureProblem = "missing" | "expired" | "mismatch";

/** The path prefix of stored objects. */
export const OBJECTS_PATH = "/__emulator/storage/objects/";

/**
 * Signs and checks pre-signed object URLs: HMAC-SHA256 over method, key and expiry (epoch seconds),
 * like S3's query-string authentication, with the key held only by this emulator instance.
 */
export class UrlSigner {
  readonly #key: string | Buffer;

  /** @param key - the HMAC key; random per instance when absent. */
  constructor(key?: string) {
    this.#key = key ?? randomBytes(32);
  }

  /** The signature for one method, key and expiry. */
  sign(method: SignedMethod, key: string, expires: number): string {
    return createHmac("sha256", this.#key).update(`${method}\n${key}\n${expires}`).digest("base64url");
  }

  /**
   * A pre-signed URL for `key`.
   *
   * @param origin - the emulator origin the URL points at.
   * @param expires - expiry in epoch seconds.
   */
  presign(origin: string, method: SignedMethod, key: string, expires: number): string {
    const sig = this.sign(method, key, expires);
    return `${origin}${OBJECTS_PATH}${encodeKey(key)}?expires=${expires}&sig=${sig}`;
  }

  /**
   * Checks a signed request.
   *
   * @param nowMs - current emulator time.
   * @returns `undefined` when valid, else what is wrong.
   */
  check(
    method: SignedMethod,
    key: string,
    query: URLSearchParams,
    nowMs: number,
  ): SignatureProblem | undefined {
    const expiresText = query.get("expires");
    const sig = query.get("sig");
    if (!expiresText || !sig || !/^\d{1,12}$/.test(expiresText)) return "missing";
    const expires = Number(expiresText);
    if (!safeEqual(sig, this.sign(method, key, expires))) return "mismatch";
    return nowMs >= expires * 1000 ? "expired" : undefined;
  }
}

/**
 * Encodes an object key as one URL path segment (`/` becomes `%2F`), so the URL matches the
 * spec's `/__emulator/storage/objects/{key}` template, whose parameter cannot span segments.
 */
export function encodeKey(key: string): string {
  return encodeURIComponent(key);
}

/**
 * Whether `key` is an acceptable object key: 1-1024 characters, no leading slash, no empty, `.` or
 * `..` segments, no control characters.
 */
export function isValidKey(key: string): boolean {
  if (key.length === 0 || key.length > 1024 || key.startsWith("/")) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(key)) return false;
  return key.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
