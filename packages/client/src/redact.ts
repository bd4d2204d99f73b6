import { isSecretName, REDACTED, redactText, redactUrl } from "@psapi/auth";

/** Absolute URLs inside free text; their query strings may be pre-signed credentials. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/gi;

/**
 * Secret names that are not secrets in Adobe's error bodies: `code` is an OAuth authorization code
 * in IMS traffic, but here it is the HTTP-like error code (`404`), which users need to see.
 */
const ERROR_BODY_FIELDS = new Set(["code"]);

/** Nesting beyond this is cut: Adobe's error bodies are two or three levels deep. */
const MAX_DEPTH = 8;

/**
 * Text from outside (Adobe's error titles, details, messages) made safe to log: every URL loses its
 * query string and every bearer token, JWT or secret `name=value` pair is replaced.
 */
export function redactString(text: string): string {
  return redactText(text.replace(URL_IN_TEXT, (url) => redactUrl(url)));
}

/**
 * A deep copy of a JSON value from outside with every string passed through {@link redactString}
 * and every property whose name is a secret (`access_token`, `sig`, …) replaced. Error details
 * echo request fields such as the input href, which is often a pre-signed URL.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretName(key) && !ERROR_BODY_FIELDS.has(key) ? REDACTED : redactDeep(item, depth + 1);
  }
  return copy;
}
