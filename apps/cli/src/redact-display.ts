import { isSecretName, REDACTED, redactUrl } from "@psapi/auth";

/**
 * A deep copy of a status or manifest body fit to print: every URL loses its query string (job
 * statuses echo the pre-signed input and output URLs, which are credentials) and every property
 * with a secret's name is replaced.
 *
 * @param value - A JSON value from the API.
 * @example
 * redactForDisplay({ output: { href: "https://b.s3.amazonaws.com/m.png?X-Amz-Signature=x" } })
 * // { output: { href: "https://b.s3.amazonaws.com/m.png?[REDACTED]" } }
 */
export function redactForDisplay(value: unknown): unknown {
  if (typeof value === "string") return /^https?:\/\//i.test(value) ? redactUrl(value) : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(redactForDisplay);
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, isSecretName(key) ? REDACTED : redactForDisplay(item)]),
  );
}
