import { isSecretName, REDACTED, redactText, scrubDeep } from "@psapi/core";
import type { components } from "@psapi/openapi-types/emulator";
import { type CapturedRequest, redactRequest } from "./request-record.js";

/**
 * One recorded request, every secret redacted (query values, headers, body): `JournalEntry` of
 * `openapi/emulator.yaml`.
 */
export type JournalEntry = components["schemas"]["JournalEntry"];

/** What {@link Journal.record} takes: the entry as captured, not yet redacted. */
export type JournalRecord = Omit<JournalEntry, "id" | "time" | "request"> & {
  timeMs: number;
  captured?: CapturedRequest;
};

/** Filters for {@link Journal.list}. */
export interface JournalFilter {
  method?: string;
  /** Path prefix. */
  path?: string;
  status?: number;
  clientId?: string;
  limit?: number;
}

/**
 * Query parameters as a record: the value of a secret one (see `isSecretName`) replaced, and every
 * other value passed through `redactText` (a `?next=` URL may carry a signature of its own).
 */
export function redactQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of query) out[name] = isSecretName(name) ? REDACTED : redactText(value);
  return out;
}

/** A bounded ring of recent requests, listed newest first. */
export class Journal {
  readonly #max: number;
  /*
   * A fixed ring: recording is O(1) however full it is (an array trimmed with splice moved all
   * `max` entries on every request once full, on the bench's hot path). The ISO time is made when
   * listing, not per request.
   */
  #ring: (JournalRecord & { id: number; request?: JournalEntry["request"] })[] = [];
  #next = 0;
  #nextId = 1;
  readonly #scrub: (text: string) => string;

  /**
   * @param max - most entries kept.
   * @param scrub - hides secrets known by value wherever a client put them (path, query, any
   *   header or field), applied to every entry when listed, so a token issued later is hidden too.
   */
  constructor(max: number, scrub: (text: string) => string = (text) => text) {
    this.#max = max;
    this.#scrub = scrub;
  }

  /** Records one request, overwriting the oldest past the cap. */
  record(entry: JournalRecord): void {
    const stored = { id: this.#nextId++, ...entry };
    if (this.#ring.length < this.#max) this.#ring.push(stored);
    else this.#ring[this.#next] = stored;
    this.#next = (this.#next + 1) % this.#max;
  }

  /** Matching entries, newest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const limit = filter.limit ?? this.#max;
    const method = filter.method?.toUpperCase();
    const size = this.#ring.length;
    for (let back = 1; back <= size && out.length < limit; back++) {
      const stored = this.#ring[(this.#next - back + size) % size];
      if (!stored) continue;
      if (method && stored.method !== method) continue;
      if (filter.path && !stored.path.startsWith(filter.path)) continue;
      if (filter.status !== undefined && stored.status !== filter.status) continue;
      if (filter.clientId && stored.clientId !== filter.clientId) continue;
      // Redacted when first shown, then kept: recording stays cheap on the hot path.
      if (stored.captured) {
        stored.request = redactRequest(stored.captured);
        stored.captured = undefined;
      }
      const { id, timeMs, captured: _, ...rest } = stored;
      out.push(scrubDeep({ id, time: new Date(timeMs).toISOString(), ...rest }, this.#scrub));
    }
    return out;
  }

  /** Empties the journal. */
  clear(): void {
    this.#ring = [];
    this.#next = 0;
  }
}
