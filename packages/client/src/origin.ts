/**
 * The token rule: credentials (`Authorization`, `x-api-key`) go only to the origins (scheme, host and
 * port) the client was configured with: `baseUrl`'s, and the Photoshop API v2 host's when it differs. A status URL comes from a response body, so a compromised or
 * spoofed answer could point polling at another host to harvest the bearer token; a request to any
 * other origin, including an http downgrade of the same host, is refused before anything is sent.
 *
 * @param url - The absolute URL about to receive credentials (a `Request`'s URL always is).
 * @param trustedOrigins - e.g. `[new URL(baseUrl).origin]`.
 * @throws {Error} when the URL's origin is not one of them.
 * @example
 * assertTrustedOrigin("https://evil.example/x", ["https://image.adobe.io"]); // throws
 */
export function assertTrustedOrigin(url: string, trustedOrigins: readonly string[]): void {
  const { origin } = new URL(url);
  if (!trustedOrigins.includes(origin)) {
    throw new Error(
      `[@psapi/client] refusing to send credentials to ${origin}: only ${trustedOrigins.join(" and ")} receive the token`,
    );
  }
}
