/** One recorded request. Never holds a header value, a body, or a secret query value. */
export interface JournalEntry {
  id: number;
  /** Emulator time the request arrived, ISO 8601. */
  time: string;
  method: string;
  path: string;
  /** Query parameters, with secret ones (`sig`, `client_secret`, tokens, codes) replaced by `[REDACTED]`. */
  query: Record<string, string>;
  /** Response status; 0 when the connection was reset. */
  status: number;
  durationMs: number;
  /** The client whose token authorised the call, when the gateway checked one. */
  clientId?: string;
  /** The fault injected, e.g. `"503"`, `"reset"`, `"latency=500"`. */
  fault?: string;
  /** Adobe's error `type`, gateway `error_code` or OAuth `error` of an error answer. */
  error?: string;
}

/** Filters for {@link Journal.list}. */
export interface JournalFilter {
  method?: string;
  /** Path prefix. */
  path?: string;
  status?: number;
  clientId?: string;
  limit?: number;
}

const SECRET_QUERY_NAMES = new Set([
  "sig",
  "client_secret",
  "refresh_token",
  "access_token",
  "jwt_token",
  "code",
  "token",
]);

/** Query parameters as a record, secret values redacted. */
export function redactQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of query) {
    out[name] = SECRET_QUERY_NAMES.has(name.toLowerCase()) ? "[REDACTED]" : value;
  }
  return out;
}

/** A bounded ring of recent requests, listed newest first. */
export class Journal {
  readonly #max: number;
  #entries: JournalEntry[] = [];
  #nextId = 1;

  /** @param max - most entries kept. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Records one request, dropping the oldest past the cap. */
  record(entry: Omit<JournalEntry, "id">): void {
    this.#entries.push({ id: this.#nextId++, ...entry });
    if (this.#entries.length > this.#max) this.#entries.splice(0, this.#entries.length - this.#max);
  }

  /** Matching entries, newest first. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const limit = filter.limit ?? this.#max;
    for (let i = this.#entries.length - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.#entries[i];
      if (!entry) continue;
      if (filter.method && entry.method !== filter.method.toUpperCase()) continue;
      if (filter.path && !entry.path.startsWith(filter.path)) continue;
      if (filter.status !== undefined && entry.status !== filter.status) continue;
      if (filter.clientId && entry.clientId !== filter.clientId) continue;
      out.push(entry);
    }
    return out;
  }

  /** Empties the journal. */
  clear(): void {
    this.#entries = [];
  }
}
