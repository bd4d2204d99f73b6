// Order statistics for bench figures. Every published figure is a median over runs, so one noisy run
// (the machine is shared) moves nothing.

/** The median of `values` (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * The `p`th percentile of `values` by linear interpolation between closest ranks.
 * @throws {Error} when `values` is empty: a figure without samples is a bench bug, not a zero.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile of an empty sample");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  const highValue = sorted[high] as number;
  return lowValue + (highValue - lowValue) * (rank - low);
}

/** `value / baseline`, rounded to 3 decimals so the JSON stays readable. */
export function ratio(value: number, baseline: number): number {
  return round(value / baseline, 3);
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
