import { isRecord, redactDeep, redactText, redactUrl } from "@psapi/core";
import { RETRYABLE_STATUSES } from "../retry-policy.js";
import { LogSafeError } from "./log-safe-error.js";

/** The request an error belongs to: method and URL without its query string. Safe to log. */
export interface RequestDescription {
  readonly method: string;
  readonly url: string;
}

/** The fields of a {@link PhotoshopApiError}, as its constructor takes them. */
export interface PhotoshopApiErrorOptions {
  /** HTTP status, or 0 when no response arrived (network failure, timeout). */
  status: number;
  /** The failed request; its URL is redacted by the constructor. */
  request: { method: string; url: string };
  retryable: boolean;
  /** Service family: Adobe's error `type`, e.g. `InputValidationError`. */
  type?: string;
  /** Service family: Adobe's `code`, normalised to a string (Adobe sends `400` and `"400"`). */
  code?: string;
  title?: string;
  details?: unknown;
  /** Gateway family: `error_code`, e.g. `"401013"`. */
  errorCode?: string;
  /** Validation errors: the validator's list under `reason`. */
  reason?: readonly unknown[];
  /** Milliseconds the server asked to wait (`Retry-After`), when it said. */
  retryAfterMs?: number;
  /** What Adobe said, in its own words (see {@link PhotoshopApiError.adobeMessage}). */
  adobeMessage?: string;
  cause?: unknown;
}

/**
 * A call to the Photoshop API that failed: an HTTP error answer from Adobe (service family
 * `{type, code, title, details}`, gateway family `{error_code, message}`, validation `reason` list)
 * or no answer at all (`status` 0: network failure or timeout).
 *
 * Everything on it is safe to log: the request URL has no query string, Adobe's texts and details
 * are redacted (they echo pre-signed hrefs), and no header is kept.
 *
 * @example
 * try { await client.createMask(body); }
 * catch (error) { if (error instanceof PhotoshopApiError && error.status === 400) console.log(error.reason); }
 * @see `@psapi/openapi` photoshop-current.yaml, `#/components/responses` (Adobe's two error bodies)
 */
export class PhotoshopApiError extends LogSafeError {
  override readonly name = "PhotoshopApiError";
  /** HTTP status, or 0 when no response arrived (network failure or timeout). */
  declare readonly status: number;
  /** Service family: Adobe's error `type` (`InputValidationError`, `ResourceNotFound`, …). */
  declare readonly type: string | undefined;
  /** Service family: Adobe's `code` as a string. */
  declare readonly code: string | undefined;
  /** Service family: Adobe's `title`. */
  declare readonly title: string | undefined;
  /** Service family: Adobe's `details`, redacted. */
  declare readonly details: unknown;
  /** Gateway family: `error_code` (`401013`, `403003`, `429001`, …). */
  declare readonly errorCode: string | undefined;
  /** Validation errors (400): the validator's list of problems, redacted. */
  declare readonly reason: readonly unknown[] | undefined;
  /** Whether the client's retry policy treats this failure as transient. */
  declare readonly retryable: boolean;
  /** The wait Adobe asked for with `Retry-After`, in milliseconds. */
  declare readonly retryAfterMs: number | undefined;
  /** Method and redacted URL of the failed request. */
  declare readonly request: RequestDescription;
  /**
   * What Adobe said, in its own words, redacted: the service family's `title` or the gateway's
   * `message`, followed by the first validation problem (`"<path> <message>"`), or the text of a
   * body that is not JSON. Undefined when the answer said nothing (or there was no answer).
   */
  declare readonly adobeMessage: string | undefined;

  /**
   * @param message - Human-readable summary; redacted before use.
   * @param options - The structured fields; see {@link PhotoshopApiErrorOptions}.
   */
  constructor(message: string, { cause, request, ...fields }: PhotoshopApiErrorOptions) {
    super(redactText(message), cause === undefined ? undefined : { cause });
    // Every text and structure from Adobe is redacted on the way in, so nothing read later can leak.
    Object.assign(this, redactDeep(fields), {
      request: { method: request.method.toUpperCase(), url: redactUrl(request.url) },
    });
  }

  /**
   * Builds the error for an HTTP error answer. Reads both of Adobe's error families from `body`
   * (already parsed JSON, or text when it was not JSON).
   *
   * @param status - The HTTP status.
   * @param body - The parsed error body, if any.
   * @param request - The request that failed.
   * @param retryAfterMs - The parsed `Retry-After`, if any.
   */
  static fromResponse(
    status: number,
    body: unknown,
    request: { method: string; url: string },
    retryAfterMs?: number,
  ): PhotoshopApiError {
    // Adobe's `message` and a non-JSON body's text go into the summary; the other fields are kept.
    const { message: adobeMessage, text, ...fields } = readErrorBody(body);
    const summary =
      [fields.title ?? adobeMessage, firstIssue(fields.reason)].filter(Boolean).join(": ") ||
      text ||
      undefined;
    const label = fields.errorCode ?? fields.type;
    const message =
      `[@psapi/client] ${request.method.toUpperCase()} ${redactUrl(request.url)} failed with ${status}` +
      (label === undefined || label === summary ? "" : ` ${label}`) +
      (summary === undefined ? "" : `: ${summary.slice(0, 300)}`);
    return new PhotoshopApiError(message, {
      ...fields,
      adobeMessage: summary,
      status,
      request,
      retryable: RETRYABLE_STATUSES.has(status),
      retryAfterMs,
    });
  }
}

interface ErrorBodyFields {
  type?: string;
  code?: string;
  title?: string;
  details?: unknown;
  errorCode?: string;
  message?: string;
  reason?: readonly unknown[];
  text?: string;
}

/** The first validation problem as "<path> <message>", e.g. "/output/mask/format must be …". */
function firstIssue(reason: readonly unknown[] | undefined): string | undefined {
  const issue = reason?.[0];
  if (issue === null || typeof issue !== "object") return undefined;
  const { instancePath, dataPath, message } = issue as Record<string, unknown>;
  const path = typeof instancePath === "string" ? instancePath : typeof dataPath === "string" ? dataPath : "";
  return typeof message === "string" ? `${path} ${message}`.trim() : undefined;
}

/** Picks the known fields of either error family out of an untrusted body, ignoring wrong types. */
function readErrorBody(body: unknown): ErrorBodyFields {
  if (typeof body === "string") return { text: body.trim() };
  if (!isRecord(body)) return {};
  const record = body;
  const text = (value: unknown) =>
    typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
  return {
    type: text(record.type),
    code: text(record.code),
    title: text(record.title),
    details: record.details,
    errorCode: text(record.error_code),
    message: text(record.message),
    reason: Array.isArray(record.reason) ? record.reason : undefined,
  };
}
