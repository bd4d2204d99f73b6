/**
 * The token rule: credentials (`Authorization`, `x-api-key`) go only to the origin (scheme, host and
 * port) of the configured `baseUrl`. A status URL comes from a response body, so a compromised or
 * spoofed answer could point polling at another host to harvest the bearer token; a request to any
 * other origin, including an http downgrade of the same host, is refused before anything is sent.
 *
 * @param url - The absolute URL about to receive credentials (a `Request`'s URL always is).
 * @param trustedOrigin - `new URL(baseUrl).origin`.
 * @throws {Error} when the origins differ.
 * @example
 * assertTrustedOrigin("https://evil.example/x", "https://image.adobe.io"); // throws
 */
export function assertTrustedOrigin(url: string, trustedOrigin: string): void {
  const { origin } = new URL(url);
  if (origin !== trustedOrigin) {
    throw new Error(
      `[@psapi/client] refusing to send credentials to ${origin}: only the baseUrl origin ${trustedOrigin} receives the token`,
    );
  }
}
