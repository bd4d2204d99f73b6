import type { MiddlewareHandler } from "hono";
import type { EmulatorContext, EmulatorContextType, EmulatorEnv } from "../context.js";
import { ConnectionResetFault } from "../http/errors.js";
import { OBJECTS_PATH } from "../storage/signing.js";
import { redactQuery } from "./journal.js";
import { type CapturedRequest, isTextual, MAX_BODY } from "./request-record.js";

async function errorName(response: Response): Promise<string | undefined> {
  if (!response.headers.get("content-type")?.includes("json")) return undefined;
  try {
    const body = (await response.clone().json()) as Record<string, unknown>;
    const name = body.type ?? body.error_code ?? body.error;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Captures the headers and body of the request being answered, for the journal. It reads only what
 * the handler already read (Hono caches a body once parsed), so recording never consumes or copies
 * a stream; a body the emulator did not read (a request refused before its body mattered) is noted
 * by its size. Cheap on purpose (every request pays it): redaction waits for {@link redactRequest}.
 */
export async function captureRequest(c: EmulatorContextType): Promise<CapturedRequest> {
  const headers = c.env?.incoming?.headers ?? c.req.raw.headers;
  const cache = c.req.bodyCache;
  const header = (name: string) =>
    headers instanceof Headers ? (headers.get(name) ?? undefined) : String(headers[name] ?? "") || undefined;
  try {
    if (cache.formData) {
      const form: [string, string][] = [];
      (await cache.formData).forEach((value, name) => {
        form.push([name, typeof value === "string" ? value : `(file, ${value.size} bytes)`]);
      });
      return { headers, form };
    }
    if (cache.text) return { headers, text: (await cache.text).slice(0, MAX_BODY * 2) };
    if (cache.arrayBuffer) {
      const bytes = await cache.arrayBuffer;
      const contentType = header("content-type") ?? "";
      return isTextual(contentType) && bytes.byteLength <= MAX_BODY
        ? { headers, text: new TextDecoder().decode(bytes) }
        : { headers, note: `(${bytes.byteLength} bytes of ${contentType || "unknown type"})` };
    }
  } catch {
    return { headers, note: "(unreadable body)" };
  }
  const length = Number(header("content-length") ?? 0);
  return length > 0 ? { headers, note: `(${length} bytes, not read by the emulator)` } : { headers };
}

/**
 * Records every API, IMS and storage-object request in the journal (the control API's own calls
 * are left out): method, path, query, status, timing, client, fault, error name, and the headers
 * and body the handler read, all redacted before anything shows them (see `Journal.list`); then
 * tells the inspector's event streams.
 *
 * @param renderError - the app's error renderer: a fault thrown by a middleware the front door calls
 *   directly (not through Hono's compose) is rendered here, so it is journaled with its status.
 */
export function createJournalMiddleware(
  ctx: EmulatorContext,
  renderError: (error: Error, c: EmulatorContextType) => Response | Promise<Response>,
): MiddlewareHandler<EmulatorEnv> {
  return async function journal(c, next) {
    const path = c.req.path;
    if (path.startsWith("/__emulator/") && !path.startsWith(OBJECTS_PATH)) return next();
    const start = ctx.time.now();
    const method = c.req.method;
    // Parsing a URL per request is measurable on the bench's hot path; most requests have no query.
    const queryAt = c.req.url.indexOf("?");
    const query = queryAt < 0 ? {} : redactQuery(new URLSearchParams(c.req.url.slice(queryAt + 1)));
    try {
      await next();
    } catch (error) {
      if (error instanceof ConnectionResetFault) {
        const durationMs = ctx.time.now() - start;
        const captured = await captureRequest(c);
        ctx.journal.record({
          timeMs: start,
          method,
          path,
          query,
          status: 0,
          durationMs,
          fault: "reset",
          captured,
        });
        ctx.changes.notify("journal");
        throw error;
      }
      c.res = await renderError(error as Error, c);
    }
    const status = c.res.status;
    ctx.journal.record({
      timeMs: start,
      method,
      path,
      query,
      status,
      durationMs: ctx.time.now() - start,
      clientId: c.get("clientId"),
      fault: c.get("fault"),
      error: status < 400 ? undefined : await errorName(c.res),
      captured: await captureRequest(c),
    });
    ctx.changes.notify("journal");
  };
}
