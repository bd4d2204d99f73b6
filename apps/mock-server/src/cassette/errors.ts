/** A cassette file (or its blobs) that is not a psapi HAR 1.2 cassette: outside input, refused whole. */
export class CassetteFormatError extends Error {
  override readonly name = "CassetteFormatError";
  /** The cassette file. */
  readonly file: string;
  /** Where in the file, as a JSON pointer (`/log/entries/3/response/status`); `""` for the whole file. */
  readonly pointer: string;
  /** What is wrong there, e.g. "must be a number". */
  readonly problem: string;

  constructor(file: string, pointer: string, problem: string) {
    super(`${file}: not a psapi cassette: ${pointer || "(root)"} ${problem}`);
    this.file = file;
    this.pointer = pointer;
    this.problem = problem;
  }
}

/**
 * The recorder found a live secret it saw (in some encoding) in what it was about to write, and
 * wrote nothing. The secret itself is never part of the error.
 */
export class CassetteSecretError extends Error {
  override readonly name = "CassetteSecretError";
  /** Where each hit is: a JSON pointer into the HAR (`/log/entries/2/response/content/text`) or `blob:<sha256>`. */
  readonly locations: readonly string[];

  constructor(locations: readonly string[]) {
    super(
      `refusing to write the cassette: a live secret survived redaction at ${locations.slice(0, 5).join(", ")}${locations.length > 5 ? ` and ${locations.length - 5} more` : ""}`,
    );
    this.locations = locations;
  }
}

/** What identifies a request for matching, as the miss error shows it (URLs without their query). */
export interface RequestSummary {
  method: string;
  /** The spec's operationId, or the URL's path when no operation matches (storage). */
  operation: string;
  url: string;
}

/** A request in replay mode that no recorded entry matches. */
export class CassetteMissError extends Error {
  override readonly name = "CassetteMissError";
  /**
   * A string `code`, as Node's network errors have: what survives when a client wraps this error
   * (`@psapi/client` keeps a thrown fetch error's name, message and `code` in its `cause`).
   */
  readonly code = "ERR_PSAPI_CASSETTE_MISS";
  readonly cassette: string;
  readonly request: RequestSummary;
  /** The closest recorded entry, if the cassette has any. */
  readonly nearest: (RequestSummary & { index: number; played: number }) | undefined;
  /** How the request differs from the nearest entry, one line each. */
  readonly differences: readonly string[];

  constructor(
    cassette: string,
    request: RequestSummary,
    nearest: CassetteMissError["nearest"],
    differences: readonly string[],
  ) {
    super(
      nearest
        ? `${request.method} ${request.operation} is not in ${cassette}; nearest is entry ${nearest.index} (${nearest.method} ${nearest.operation}, played ${nearest.played}×): ${differences.join("; ")}`
        : `${request.method} ${request.operation} is not in ${cassette}, which has no entries`,
    );
    this.cassette = cassette;
    this.request = request;
    this.nearest = nearest;
    this.differences = differences;
  }
}
