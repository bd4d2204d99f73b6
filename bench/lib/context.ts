/** What run.ts hands each bench. */
export interface BenchContext {
  /** Fewer and shorter runs, for a smoke check of the harness (figures are then indicative only). */
  readonly quick: boolean;
  /** Progress output for the person running the bench. */
  log(message: string): void;
}
