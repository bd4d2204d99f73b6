/**
 * A bad option or argument: a `TypeError` whose message names the package, then what is wrong and
 * how to fix it, and whose `problem` is that sentence alone, for callers that word it themselves.
 *
 * @example
 * catch (error) { if (error instanceof InvalidArgumentError) console.error(error.problem); }
 */
export class InvalidArgumentError extends TypeError {
  override readonly name = "InvalidArgumentError";
  /** What is wrong and how to fix it, without the package name, e.g. `timeoutMs must be …`. */
  readonly problem: string;

  /** @param problem - What is wrong and how to fix it; never a secret's value. */
  constructor(problem: string) {
    super(`[@psapi/client] ${problem}`);
    this.problem = problem;
  }
}

/**
 * Throws the client's error for a bad option or argument.
 *
 * @throws {InvalidArgumentError} always.
 */
export function invalid(message: string): never {
  throw new InvalidArgumentError(message);
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
