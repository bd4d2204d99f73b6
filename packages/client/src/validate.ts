/**
 * Throws the client's error for a bad option or argument: a `TypeError` whose message names the
 * package, then what is wrong and how to fix it.
 *
 * @throws {TypeError} always.
 */
export function invalid(message: string): never {
  throw new TypeError(`[@psapi/client] ${message}`);
}

/**
 * Checks that an option is a finite number ≥ 0 and returns it.
 *
 * @param name - The option's name as the caller wrote it, e.g. `retry.maxDelayMs`.
 * @throws {TypeError} naming the option and the value received.
 */
export function nonNegative(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    invalid(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}
