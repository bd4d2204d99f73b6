/**
 * Memory in use (JS heap plus the external memory of buffers) after full collections. Needs
 * `--expose-gc` (this package's `vitest.config.ts` sets it); between collections the event loop
 * turns once so finalizers and pending callbacks release what they hold.
 *
 * @returns bytes retained.
 * @throws Error when the process was started without `--expose-gc`.
 * @example
 * const before = await retainedAfterGc();
 */
export async function retainedAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (vitest.config.ts sets execArgv)");
  for (let round = 0; round < 3; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}
