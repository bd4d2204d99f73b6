/**
 * The `fetch` psapi packages take: one `Request` in, a `Response` out. The global `fetch` fits, and
 * so does an in-process emulator (`(request) => app.fetch(request)`).
 */
export type FetchLike = (request: Request) => Promise<Response>;

/**
 * What a log call carries besides its sentence: which package speaks, and the details. The
 * sentence has no package name in it, so a logger that prints lines decides whether to show one.
 */
export interface LogFields {
  /** The package that logs, e.g. `@psapi/auth`. */
  readonly source: string;
  readonly [detail: string]: unknown;
}

/**
 * Where packages send what they have to say. Defaults to silence; never receives a secret. Every
 * psapi package passes `fields` with its `source`.
 */
export interface Logger {
  debug?(message: string, fields: LogFields): void;
  info?(message: string, fields: LogFields): void;
  warn?(message: string, fields: LogFields): void;
  error?(message: string, fields: LogFields): void;
}
