/** The symbol `util.inspect` looks for, taken from the global registry so browsers need no `node:util`. */
const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * Freezes `value` and gives it a `toJSON` and a custom `util.inspect` that both show `view()` instead,
 * so that logging or serialising an object that holds a secret shows the redacted view. Both are
 * non-enumerable: spreading, `Object.entries` and `fetch(…, { headers })` still see the real fields.
 */
export function withSafeView<T extends object>(value: T, view: () => Record<string, unknown>): Readonly<T> {
  Object.defineProperty(value, "toJSON", { value: view });
  Object.defineProperty(value, inspectCustom, { value: view });
  return Object.freeze(value);
}
