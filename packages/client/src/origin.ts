/**
 * The token rule: credentials (`Authorization`, `x-api-key`) go only to the origins (scheme, host and
 * port) the client was configured with: `baseUrl`'s, and the Photoshop API v2 host's when it differs. A status URL comes from a response body, so a compromised or
 * spoofed answer could point polling at another host to harvest the bearer token; a request to any
 * other origin, including an http downgrade of the same host, is refused before anything is sent.
 *
 * @param url - The absolute URL about to receive credentials (a `Request`'s URL always is).
 * @param trustedOrigins - e.g. `[new URL(baseUrl).origin]`.
 * @throws {UntrustedOriginError} when the URL's origin is not one of them.
 * @example
 * assertTrustedOrigin("https://evil.example/x", ["https://image.adobe.io"]); // throws
 */
export function assertTrustedOrigin(url: string, trustedOrigins: readonly string[]): void {
  const { origin } = new URL(url);
  if (!trustedOrigins.includes(origin)) {
    throw new UntrustedOriginError(origin, trustedOrigins);
  }
}

/**
 * A request refused before it was sent because its origin is not one the client was configured
 * with (the token rule of {@link assertTrustedOrigin}).
 */
export class UntrustedOriginError extends Error {
  override readonly name = "UntrustedOriginError";
  /** The origin that would have received the token. */
  readonly origin: string;
  /** The origins that receive it. */
  readonly trustedOrigins: readonly string[];
  /** The refusal in one sentence, without the package name. */
  readonly problem: string;

  /**
   * @param origin - The refused origin.
   * @param trustedOrigins - The configured ones.
   */
  constructor(origin: string, trustedOrigins: readonly string[]) {
    const problem = `refusing to send credentials to ${origin}: only ${trustedOrigins.join(" and ")} receive the token`;
    super(`[@psapi/client] ${problem}`);
    this.origin = origin;
    this.trustedOrigins = trustedOrigins;
    this.problem = problem;
  }
}
