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
 * (S3 `X-Amz-Signature`, Azure SAS `sig`, the emulator's `sig`), so it is dropped whole, as is any
 * user-info part. Input that is not a URL is replaced entirely.
 *
 * @example
 * redactUrl("https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=abc") // "https://bucket.s3.amazonaws.com/a.png"
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
