/**
 * The `fetch` psapi packages take: one `Request` in, a `Response` out. The global `fetch` fits, and
 * so does an in-process emulator (`(request) => app.fetch(request)`).
 */
export type FetchLike = (request: Request) => Promise<Response>;

/** Where packages send what they have to say. Defaults to silence; never receives a secret. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}
