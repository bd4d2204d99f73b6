/**
 * Whether `value` is a plain JSON object (not `null`, not an array): what every untrusted body (an
 * IMS answer, an API error or status body) is checked with before its fields are read.
 *
 * @param value Anything, typically parsed JSON.
 * @example
 * isRecord({ status: "failed" }) // true
 * isRecord([1]) // false
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
