/**
 * Reads a `Retry-After` header as delta-seconds or an HTTP-date and returns the wait in milliseconds
 * from `now`, or `undefined` when the header is absent or malformed. IMS and Adobe's gateway send
 * seconds; the date form is what RFC 9110 also allows, so both are read.
 *
 * @param value The header's value, or `null` when it is absent.
 * @param now The current time in epoch milliseconds (`clock.now()`), for the date form.
 * @example
 * parseRetryAfter(response.headers.get("retry-after"), clock.now()) // "2" → 2000
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
