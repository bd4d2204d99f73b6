/**
 * The base of the client's error classes: `toJSON()` gives the own enumerable fields and the
 * message. The subclasses keep what must not be logged (`cause`, final status bodies holding
 * pre-signed URLs) non-enumerable, and `stack` is never enumerable, so none of it is serialised.
 */
export class LogSafeError extends Error {
  /** A plain, log-safe object: the own enumerable fields and the message. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), message: this.message };
  }
}
