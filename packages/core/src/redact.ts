/** Names whose values are secrets wherever they appear: headers, form fields, query parameters. */
const SECRET_NAMES = new Set([
  "authorization",
  "client_secret",
  "refresh_token",
  "access_token",
  "jwt_token",
  "code",
  "sig",
  "signature",
  "token",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
  "se",
  "sv",
  "sp",
]);

/** The placeholder that replaces every redacted value. */
export const REDACTED = "[REDACTED]";

/**
 * Whether a header, form field or query parameter of this name carries a secret.
 *
 * @example
 * isSecretName("Authorization") // true
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase());
}

/**
 * A URL safe to log: origin and path only. The query string of a pre-signed URL is its credential
 * (S3 `X-Amz-Signature`, Azure SAS `sig`, the emulator's `sig`), so it is replaced whole by
 * `?[REDACTED]`, and any user-info part is dropped. Input that is not a URL is replaced entirely.
 *
 * @example
 * redactUrl("https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=abc") // "https://bucket.s3.amazonaws.com/a.png?[REDACTED]"
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return REDACTED;
  }
  const query = parsed.search ? `?${REDACTED}` : "";
  return `${parsed.origin}${parsed.pathname}${query}`;
}

/**
 * Replaces every secret in a text (an error message, an HTML error page) that looks like a bearer
 * token, a JWT, or a `name=value` pair with a secret name. Used on text that came from outside.
 *
 * @example
 * redactText("client_secret=abc&scope=openid") // "client_secret=[REDACTED]&scope=openid"
 */
export function redactText(text: string): string {
  return text
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`)
    .replace(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED)
    .replace(/([?&\s"']|^)([A-Za-z_-]+)=([^&\s"']+)/g, (match, lead: string, name: string) =>
      isSecretName(name) ? `${lead}${name}=${REDACTED}` : match,
    );
}

/**
 * A log-safe stand-in for an error thrown by a `fetch`, to keep as a `cause`: a new `Error` with the
 * original's `name`, its message joined with its cause's (Node's fetch says "fetch failed" and puts
 * the reason, `connect ECONNREFUSED …`, in its cause) and passed through `scrub`, and a string `code`
 * (`ECONNREFUSED`) when either has one. Never the original: a custom `fetch` may have hung the request
 * on it, headers and body included, and `util.inspect` prints a `cause` with all its properties.
 *
 * @param error What the `fetch` threw.
 * @param scrub Removes secrets from the message; default `redactText`.
 * @example
 * new Error("request failed", { cause: redactError(thrown) });
 */
export function redactError(error: unknown, scrub: (text: string) => string = redactText): Error {
  if (!(error instanceof Error)) return new Error("unknown error");
  const inner = error.cause instanceof Error ? error.cause : undefined;
  const copy = new Error(scrub(inner ? `${error.message}: ${inner.message}` : error.message));
  copy.name = error.name;
  const code = [inner, error]
    .map((e) => (e as { code?: unknown } | undefined)?.code)
    .find((c) => typeof c === "string");
  return code === undefined ? copy : Object.assign(copy, { code });
}
