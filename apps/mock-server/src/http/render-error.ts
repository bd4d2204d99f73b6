import { scrubDeep } from "@psapi/core";
import { HTTPException } from "hono/http-exception";
import type { EmulatorContextType, EmulatorLogger } from "../context.js";
import { ERROR_CODES, errorFamily } from "../current/family.js";
import {
  ConnectionResetFault,
  GatewayError,
  issue,
  OAuthError,
  ServiceError,
  StorageError,
} from "./errors.js";

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Node's error for a request body whose connection closed or broke before its end. */
function isBodyCutOff(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (error.message === "aborted" && code === "ECONNRESET") || code === "ERR_STREAM_PREMATURE_CLOSE";
}

/**
 * The app's one `onError`: renders each error family in Adobe's shape (service `{type, code,
 * title}`, gateway `{error_code, message}`, OAuth `{error, error_description}`, S3-style XML for
 * storage). Anything unexpected becomes 500 `UndefinedError` without leaking its message. Every
 * string of an error body passes through `scrub` (the emulator's secrets by value): an error may
 * echo a field where a client put a secret.
 *
 * @throws ConnectionResetFault - rethrown on purpose so `app.fetch` rejects like a network failure.
 */
export function createErrorRenderer(
  logger: EmulatorLogger | undefined,
  scrub: (text: string) => string = (text) => text,
) {
  return function renderError(error: Error, c: EmulatorContextType): Response {
    if (error instanceof ConnectionResetFault) throw error;
    if (error instanceof ServiceError) {
      return c.json(scrubDeep(error.body, scrub), error.status as 400, error.headers);
    }
    if (error instanceof GatewayError) {
      const body = { error_code: error.errorCode, message: scrub(error.message) };
      return c.json(
        error.errors ? { ...body, errors: scrubDeep(error.errors, scrub) } : body,
        error.status as 401,
        error.headers,
      );
    }
    if (error instanceof OAuthError) {
      return c.json({ error: error.error, error_description: scrub(error.message) }, error.status as 400, {
        "cache-control": "no-store",
      });
    }
    if (error instanceof StorageError) {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${xmlEscape(scrub(error.message))}</Message></Error>`;
      // Hono drops the body of a HEAD answer itself.
      return c.body(xml, error.status as 403, { "content-type": "application/xml" });
    }
    const family = errorFamily(c.req.path);
    if (family && error instanceof HTTPException && error.status < 500) {
      const body = {
        error_code: ERROR_CODES[family].invalid,
        message: scrub(error.message || "Bad request"),
      };
      return c.json(body, error.status);
    }
    if (error instanceof HTTPException && error.status < 500) {
      const title = scrub(error.message || "Bad request");
      return c.json(
        { type: "InputValidationError", code: error.status, title, reason: [issue("", "request", title)] },
        error.status,
      );
    }
    if (isBodyCutOff(error)) {
      // The client (or its connection) went away mid-body: nothing is wrong with the emulator,
      // and whoever is still listening gets a 400 rather than a 500.
      const title = "The request body ended before it was complete";
      return c.json(
        { type: "InputValidationError", code: 400, title, reason: [issue("", "request", title)] },
        400,
      );
    }
    logger?.error(
      `[@psapi/mock-server] unexpected error on ${c.req.method} ${new URL(c.req.url).pathname}`,
      error,
    );
    if (family)
      return c.json({ error_code: ERROR_CODES[family].internal, message: "Internal Server Error." }, 500);
    return c.json({ type: "UndefinedError", code: 500, title: "Internal Server Error" }, 500);
  };
}
