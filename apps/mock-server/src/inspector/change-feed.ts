/** What changed: a request was journaled, a job moved, or the control API changed state. */
export type ChangeKind = "journal" | "jobs" | "state";

/** Most listeners at once: each is an open event stream, and a stuck page must not pile them up. */
export const MAX_LISTENERS = 32;

/**
 * Tells the inspector's event streams that something changed, so an open page refreshes when there
 * is news instead of polling. Notifying with no listener (every request of a test or the bench) is
 * one size check.
 *
 * @example
 * const feed = new ChangeFeed();
 * const stop = feed.subscribe((kind) => console.log(kind));
 * feed.notify("journal");
 * stop();
 */
export class ChangeFeed {
  readonly #listeners = new Set<(kind: ChangeKind) => void>();

  /**
   * Calls `listener` on every change until the returned function is called.
   *
   * @returns the unsubscribe function, or `undefined` when {@link MAX_LISTENERS} are listening.
   */
  subscribe(listener: (kind: ChangeKind) => void): (() => void) | undefined {
    if (this.#listeners.size >= MAX_LISTENERS) return undefined;
    const own = (kind: ChangeKind) => listener(kind);
    this.#listeners.add(own);
    return () => this.#listeners.delete(own);
  }

  /** Tells every listener. */
  notify(kind: ChangeKind): void {
    if (this.#listeners.size === 0) return;
    for (const listener of this.#listeners) listener(kind);
  }

  /** Listeners now. */
  get size(): number {
    return this.#listeners.size;
  }
}
