/** One entry of a service error's `details`: which input failed and why. */
export interface ErrorDetail {
  name: string;
  reason: string;
}

/**
 * The body of a Photoshop/Sensei service error (`{type, code, title, details?}`), also the `errors`
 * object of a failed job.
 */
export interface ServiceErrorBody {
  type: string;
  code: number;
  title: string;
  /** A list of `{name, reason}`; a sentence for 402. */
  details?: ErrorDetail[] | string;
}

/**
 * A service-family error (`{type, code, title, details?}` or the validator's `{..., reason}`),
 * rendered by the app's one `onError`.
 *
 * @example
 * throw new ServiceError(404, { type: "ResourceNotFound", code: 404, title: "Requested resource was not found" });
 */
export class ServiceError extends Error {
  override readonly name = "ServiceError";
  readonly status: number;
  readonly body: ServiceErrorBody & { reason?: unknown[] };
  readonly headers: Record<string, string>;

  /**
   * @param status - HTTP status to answer with.
   * @param body - the JSON body.
   * @param headers - extra response headers (e.g. `Retry-After`).
   */
  constructor(
    status: number,
    body: ServiceErrorBody & { reason?: unknown[] },
    headers: Record<string, string> = {},
  ) {
    super(body.title);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/**
 * Why a service error happened, in one sentence safe to show: its first detail's `reason`, else
 * its `title` (AssetMover's reasons never hold a URL).
 */
export function reasonOf(error: ServiceError): string {
  const { details, title } = error.body;
  return (Array.isArray(details) ? details[0]?.reason : undefined) ?? title;
}

/**
 * An API-gateway error (`{error_code, message}`): 401/403 for credentials, 429 and 502-504; also
 * every error of the current contract's routes (`{error_code, message, errors?}`, see ../current/).
 *
 * @example
 * throw new GatewayError(401, "401013", "Oauth token is not valid");
 */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly status: number;
  readonly errorCode: string;
  readonly headers: Record<string, string>;
  /** Each problem, when there are several (the current contract's `ErrorResponse.errors`). */
  readonly errors: readonly { error_code: string; message: string }[] | undefined;

  /**
   * @param status - HTTP status.
   * @param errorCode - Adobe's gateway `error_code` string.
   * @param message - Adobe's gateway `message`.
   * @param headers - extra response headers.
   * @param errors - the list of problems, rendered as `errors` (current-contract validation).
   */
  constructor(
    status: number,
    errorCode: string,
    message: string,
    headers: Record<string, string> = {},
    errors?: readonly { error_code: string; message: string }[],
  ) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.headers = headers;
    this.errors = errors;
  }
}

/**
 * An OAuth error from the IMS routes (`{error, error_description}`, RFC 6749 §5.2).
 *
 * @example
 * throw new OAuthError(401, "invalid_client", "invalid client credentials");
 */
export class OAuthError extends Error {
  override readonly name = "OAuthError";
  readonly status: number;
  readonly error: string;

  /**
   * @param status - HTTP status (400 or 401).
   * @param error - the OAuth `error` code.
   * @param description - the `error_description`; never contains a secret.
   */
  constructor(status: number, error: string, description: string) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

/**
 * An object-store error, rendered as S3 does: an XML `<Error>` document.
 *
 * @example
 * throw new StorageError(403, "AccessDenied", "Request has expired");
 */
export class StorageError extends Error {
  override readonly name = "StorageError";
  readonly status: number;
  readonly code: string;

  /**
   * @param status - HTTP status.
   * @param code - S3-style error code (`AccessDenied`, `SignatureDoesNotMatch`, `NoSuchKey`, `EntityTooLarge`).
   * @param message - human-readable message.
   */
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * An injected connection reset. `onError` rethrows it so `app.fetch` rejects the way `fetch` does
 * on a network failure (a `TypeError`); over a real socket the socket is destroyed first.
 */
export class ConnectionResetFault extends TypeError {
  override readonly name = "TypeError";

  constructor() {
    super("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
  }
}

/** The 404 body the service answers for an unknown job or route. */
export function resourceNotFound(path?: string): ServiceError | GatewayError {
  // The current contract's paths answer in its shape (`not_found`: no operation has this path).
  if (path?.startsWith("/v1/") || path?.startsWith("/v2/")) {
    return new GatewayError(404, "not_found", "Requested resource was not found");
  }
  return new ServiceError(404, {
    type: "ResourceNotFound",
    code: 404,
    title: "Requested resource was not found",
  });
}

/**
 * A validation issue in ajv's shape (`keyword`, `instancePath`, `schemaPath`, `params`, `message`),
 * for checks the schema cannot express, so every 400 `reason` list looks the same.
 */
export function issue(instancePath: string, keyword: string, message: string) {
  return {
    keyword,
    instancePath,
    dataPath: instancePath.replace(/\//g, "."),
    schemaPath: "#",
    params: {},
    message,
  };
}

/** The 400 body for a request the validator rejects, with ajv-style issues under `reason`. */
export function inputValidationError(title: string, reason: unknown[]): ServiceError {
  return new ServiceError(400, { type: "InputValidationError", code: 400, title, reason });
}
