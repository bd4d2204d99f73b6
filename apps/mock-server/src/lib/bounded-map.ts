/** Limits for a {@link BoundedMap}. */
export interface BoundedMapOptions<V> {
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
  /** Most total weight kept (bytes, for the object store). Unlimited when absent. */
  maxWeight?: number;
  /** The weight of one value. Required with `maxWeight`. */
  weigh?: (value: V) => number;
}

/**
 * A Map that evicts its least recently used entries past a count or weight cap, so the emulator's
 * memory stays bounded however long it runs (jobs, objects, refresh tokens).
 *
 * @example
 * const m = new BoundedMap<string, number>({ maxEntries: 2 });
 * m.set("a", 1); m.set("b", 2); m.set("c", 3); // "a" is evicted
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  /** Each entry's weight when it was stored or last re-weighed (a value's weight may change). */
  readonly #weights = new Map<K, number>();
  readonly #options: BoundedMapOptions<V>;
  #weight = 0;

  constructor(options: BoundedMapOptions<V>) {
    this.#options = options;
  }

  /** Number of entries. */
  get size(): number {
    return this.#map.size;
  }

  /** Total weight of the entries. */
  get weight(): number {
    return this.#weight;
  }

  /** The value for `key`, marking it recently used. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** The value for `key` without touching its recency. */
  peek(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Whether `key` is present. */
  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Stores `value`, then evicts old entries until both caps hold again. */
  set(key: K, value: V): this {
    this.delete(key);
    this.#map.set(key, value);
    this.#add(key, value);
    this.#evict(key);
    return this;
  }

  /**
   * Weighs `key`'s value again after it changed in place (a job dropping the inputs it held),
   * without touching its recency; evicts old entries if it grew past the cap. Whether `key` is present.
   */
  reweigh(key: K): boolean {
    const value = this.#map.get(key);
    if (value === undefined) return false;
    this.#weight -= this.#weights.get(key) ?? 0;
    this.#add(key, value);
    this.#evict(key);
    return true;
  }

  /** Removes `key`; whether it was there. */
  delete(key: K): boolean {
    if (!this.#map.has(key)) return false;
    this.#weight -= this.#weights.get(key) ?? 0;
    this.#weights.delete(key);
    return this.#map.delete(key);
  }

  /** Removes everything. */
  clear(): void {
    this.#map.clear();
    this.#weights.clear();
    this.#weight = 0;
  }

  /** Values, oldest (least recently used) first. */
  values(): IterableIterator<V> {
    return this.#map.values();
  }

  #add(key: K, value: V): void {
    const weight = this.#options.weigh ? this.#options.weigh(value) : 0;
    this.#weights.set(key, weight);
    this.#weight += weight;
  }

  /** Evicts the least recently used entries until both caps hold, never `keep` (just stored). */
  #evict(keep: K): void {
    for (const oldest of this.#map.keys()) {
      const over =
        this.#map.size > this.#options.maxEntries ||
        (this.#options.maxWeight !== undefined && this.#weight > this.#options.maxWeight);
      if (!over || oldest === keep) break;
      this.delete(oldest);
    }
  }
}
