/**
 * Exponential back-off with "equal jitter": half the delay is fixed, half is random, so that many
 * processes that failed together do not retry together, yet none retries almost at once.
 *
 * @param attempt 1 for the wait after the first failure, 2 after the second, …
 * @param baseMs The wait after the first failure before jitter.
 * @param maxMs The cap before jitter.
 * @param random A source of numbers in [0, 1).
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
