/**
 * The token rule: credentials (`Authorization`, `x-api-key`) go only to the origin (scheme, host and
 * port) of the configured `baseUrl`. A status URL comes from a response body, so a compromised or
 * spoofed answer could point polling at another host to harvest the bearer token; a request to any
 * other origin, including an http downgrade of the same host, is refused before anything is sent.
 *
 * @param url - The URL about to receive credentials.
 * @param trustedOrigin - `new URL(baseUrl).origin`.
 * @throws {Error} when the origins differ or `url` is not an absolute URL.
 */
export function assertTrustedOrigin(url: string, trustedOrigin: string): void {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    throw new Error("[@psapi/client] refusing to send credentials to a URL that does not parse");
  }
  if (origin !== trustedOrigin) {
    throw new Error(
      `[@psapi/client] refusing to send credentials to ${origin}: only the baseUrl origin ${trustedOrigin} ` +
        "receives the access token (set baseUrl to the host you mean to call)",
    );
  }
}
