import { createHash } from "node:crypto";
import { BoundedMap } from "../lib/bounded-map.js";

/** One stored object. */
export interface StoredObject {
  bytes: Uint8Array;
  contentType: string;
  etag: string;
  lastModified: number;
}

/**
 * The emulator's in-memory object store: bytes plus content type, capped by object count and
 * total bytes, evicting the least recently used objects first.
 */
export class ObjectStore {
  readonly #objects: BoundedMap<string, StoredObject>;

  /** @param limits - count and byte caps. */
  constructor(limits: { maxObjects: number; maxStoreBytes: number }) {
    this.#objects = new BoundedMap({
      maxEntries: limits.maxObjects,
      maxWeight: limits.maxStoreBytes,
      weigh: (object) => object.bytes.byteLength,
    });
  }

  /** The object at `key`, if any. */
  get(key: string): StoredObject | undefined {
    return this.#objects.get(key);
  }

  /** Whether an object exists at `key`. */
  has(key: string): boolean {
    return this.#objects.has(key);
  }

  /** Stores bytes at `key`, replacing any object there. */
  put(key: string, bytes: Uint8Array, contentType: string, now: number): StoredObject {
    const object: StoredObject = {
      bytes,
      contentType,
      etag: `"${createHash("md5").update(bytes).digest("hex")}"`,
      lastModified: now,
    };
    this.#objects.set(key, object);
    return object;
  }

  /** Empties the store. */
  clear(): void {
    this.#objects.clear();
  }
}
