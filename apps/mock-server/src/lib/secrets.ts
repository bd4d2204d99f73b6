import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Compares two secrets in constant time. Both sides are hashed first so neither the content nor
 * the length of the expected secret leaks through timing.
 *
 * @example
 * safeEqual(given, client.clientSecret); // true or false, same time either way
 */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

/** SHA-256 digest of a UTF-8 string. */
export function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** A random URL-safe token of `bytes` random bytes. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
