/** The symbol `util.inspect` looks for, taken from the global registry so browsers need no `node:util`. */
const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * A frozen copy of `value` whose `toJSON` and custom `util.inspect` show `view` instead, so that logging
 * or serialising an object that holds a secret shows the redacted view.
 *
 * Both hooks live on the prototype, not on the object: its own keys stay exactly the fields of `value`,
 * so spreading, `Object.entries`, `new Headers(…)` and `fetch(…, { headers })` (which walk every own
 * key, symbols included) see only the real fields.
 */
export function withSafeView<T extends object>(value: T, view: Record<string, unknown>): Readonly<T> {
  const redacted = () => view;
  const prototype = Object.freeze({ toJSON: redacted, [inspectCustom]: redacted });
  return Object.freeze(Object.assign(Object.create(prototype) as T, value));
}
