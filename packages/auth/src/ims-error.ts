/**
 * A failure to get an access token: an OAuth error from IMS (`invalid_client`, `invalid_scope`, …),
 * a response that is not a token, IMS out of reach after every retry, or a token that cannot be
 * renewed. `error` and `errorDescription` are IMS's own words when it sent them, already redacted;
 * no secret, key or token is ever part of an `ImsError`.
 *
 * Codes psapi itself uses: `network_error` and `timeout` (IMS out of reach), `invalid_response` (not a
 * token), `http_<status>` (an error without an OAuth body), `invalid_token` (a static token that was
 * rejected or has expired, which nothing can renew).
 *
 * @example
 * try {
 *   await auth.getToken();
 * } catch (error) {
 *   if (error instanceof ImsError && error.error === "invalid_client") console.error("check the client secret");
 * }
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (OAuth error response)
 */
export class ImsError extends Error {
  override readonly name = "ImsError";
  /** The OAuth error code (`invalid_client`, …) or one of psapi's own codes listed above. */
  readonly error: string;
  /** A human-readable explanation, redacted. */
  readonly errorDescription: string;
  /** The HTTP status IMS answered with; `undefined` when there was no answer. */
  readonly status: number | undefined;
  /**
   * Whether asking again later may succeed: IMS was out of reach (`network_error`, `timeout`) or
   * answered 429 or 5xx. OAuth errors, answers that are not a token and `invalid_token` are final.
   */
  readonly retryable: boolean;

  /**
   * @param error OAuth error code.
   * @param errorDescription Explanation, already redacted by the caller.
   * @param status HTTP status, if IMS answered.
   * @param options `cause`, kept for debugging.
   */
  constructor(error: string, errorDescription: string, status?: number, options?: { cause?: unknown }) {
    const where = status === undefined ? "" : ` (HTTP ${status})`;
    super(`[@psapi/auth] IMS ${error}${where}: ${errorDescription}`, options);
    this.error = error;
    this.errorDescription = errorDescription;
    this.status = status;
    this.retryable =
      status === undefined
        ? error === "network_error" || error === "timeout"
        : status === 429 || status >= 500;
  }
}

/**
 * A loggable summary of an error: its class and OAuth code, never its message (which might quote input).
 *
 * @example
 * errorSummary(new ImsError("invalid_client", "…", 401)) // "ImsError: invalid_client"
 */
export function errorSummary(error: unknown): string {
  if (error instanceof ImsError) return `${error.name}: ${error.error}`;
  return error instanceof Error ? error.name : typeof error;
}
