import {
  abortable,
  backoffDelay,
  isRecord,
  parseRetryAfter,
  redactError,
  redactSecrets,
  redactText,
  startDeadline,
} from "@psapi/core";
import { ImsError } from "./ims-error.js";
import type { ResolvedImsOptions } from "./options.js";
import { isTokenString } from "./token.js";

/** A token as IMS granted it, before psapi stamps it with receipt time and scopes. */
export interface TokenGrant {
  readonly accessToken: string;
  readonly expiresInMs: number;
  /** A rotated refresh token (refresh grant only). */
  readonly refreshToken?: string;
}

/** One IMS token request: where, what, and which secrets the form holds (to scrub them from errors). */
export interface ImsRequest {
  /** Path on the IMS origin: `/ims/token/v3` or `/ims/exchange/jwt`. */
  readonly path: string;
  readonly form: Readonly<Record<string, string>>;
  /** Unit of `expires_in` in the answer: seconds on `/ims/token/v3`, milliseconds on the JWT exchange. */
  readonly expiresIn: "seconds" | "milliseconds";
  /** The secret values in `form`, removed from any text IMS sends back before it reaches an error. */
  readonly secrets: readonly string[];
}

const ATTEMPTS = 3;
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 8000;
/** Longer `Retry-After` waits are not worth holding every caller for: fail and let the next call retry. */
const MAX_RETRY_AFTER_MS = 60_000;
/** IMS access tokens live 24 h; anything beyond two weeks is a unit mix-up or garbage, not a token. */
const MAX_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;
const MAX_DESCRIPTION = 300;

interface Failure {
  readonly error: ImsError;
  readonly retryAfterMs?: number;
}

/**
 * Posts `request.form` to IMS and returns the granted token. Network errors, timeouts, 429 and 5xx are
 * retried (3 attempts, exponential back-off with jitter, `Retry-After` honoured); OAuth 4xx errors and
 * answers that are not a token reject at once. Every failure is an `ImsError` without secrets.
 *
 * @throws ImsError
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4 (client credentials grant)
 */
export async function requestImsToken(ims: ResolvedImsOptions, request: ImsRequest): Promise<TokenGrant> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(ims, request);
    if (!("error" in outcome)) return outcome;
    const { error, retryAfterMs = 0 } = outcome;
    if (!error.retryable || attempt >= ATTEMPTS || retryAfterMs > MAX_RETRY_AFTER_MS) throw error;
    const delayMs = Math.max(backoffDelay(attempt, RETRY_BASE_MS, RETRY_MAX_MS, ims.random), retryAfterMs);
    ims.logger.warn?.("IMS request failed; retrying", {
      source: "@psapi/auth",
      attempt,
      delayMs,
      error: error.error,
      status: error.status,
    });
    await ims.clock.sleep(delayMs);
  }
}

async function attemptOnce(ims: ResolvedImsOptions, request: ImsRequest): Promise<TokenGrant | Failure> {
  // Every known secret value, then anything that looks like one.
  const scrub = (text: string) => redactText(redactSecrets(text, request.secrets));
  const noAnswer = `IMS did not answer within ${ims.timeoutMs} ms`;
  const deadline = startDeadline(ims.clock, ims.timeoutMs, undefined, noAnswer);
  try {
    const exchange = (async () => {
      const response = await ims.fetch(
        new Request(`${ims.imsUrl}${request.path}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: new URLSearchParams(request.form),
          // A redirect would replay the credentials to wherever it points: never follow one.
          redirect: "manual",
          signal: deadline.signal,
        }),
      );
      return { response, text: await response.text() };
    })();
    // Raced against the deadline: an injected fetch may ignore the signal.
    const result = await abortable(exchange, deadline.signal);
    return interpret(result.response, result.text, request, scrub, ims.clock.now());
  } catch (cause) {
    if (deadline.signal.aborted) return { error: new ImsError("timeout", noAnswer) };
    return { error: networkError(ims.imsUrl, cause, scrub) };
  } finally {
    deadline.dispose();
  }
}

/** An `ImsError` for a request that got no answer, with a scrubbed copy of the failure as its cause. */
function networkError(imsUrl: string, cause: unknown, scrub: (text: string) => string): ImsError {
  const safeCause = redactError(cause, scrub);
  return new ImsError(
    "network_error",
    `IMS at ${imsUrl} could not be reached: ${safeCause.message}`,
    undefined,
    {
      cause: safeCause,
    },
  );
}

function interpret(
  response: Response,
  text: string,
  request: ImsRequest,
  scrub: (text: string) => string,
  now: number,
): TokenGrant | Failure {
  const { status } = response;
  const body = parseJson(text);
  if (status >= 200 && status < 300) {
    const grant = readGrant(body, request.expiresIn);
    if (typeof grant === "string") {
      const kind = describeContent(response, body);
      return {
        error: new ImsError("invalid_response", `IMS answered ${status} with ${kind}: ${grant}`, status),
      };
    }
    return grant;
  }
  const record = isRecord(body) ? body : {};
  const code =
    typeof record.error === "string" && record.error ? scrub(record.error).slice(0, 100) : `http_${status}`;
  const description =
    typeof record.error_description === "string" && record.error_description
      ? scrub(record.error_description).slice(0, MAX_DESCRIPTION)
      : `IMS answered ${status} with ${describeContent(response, body)}`;
  const error = new ImsError(code, description, status);
  return error.retryable
    ? { error, retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now) }
    : { error };
}

/** The token in a 2xx body, or why there is none. */
function readGrant(body: unknown, unit: ImsRequest["expiresIn"]): TokenGrant | string {
  if (!isRecord(body)) return "no JSON object";
  const {
    access_token: accessToken,
    token_type: tokenType,
    expires_in: expiresIn,
    refresh_token: refreshToken,
  } = body;
  if (!isTokenString(accessToken)) return "no usable access_token";
  if (tokenType !== undefined && String(tokenType).toLowerCase() !== "bearer")
    return "a token_type other than bearer";
  const amount = typeof expiresIn === "string" && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  const expiresInMs = typeof amount === "number" ? amount * (unit === "seconds" ? 1000 : 1) : Number.NaN;
  if (!(expiresInMs > 0 && expiresInMs <= MAX_LIFETIME_MS)) return `no plausible expires_in (in ${unit})`;
  if (refreshToken !== undefined && !isTokenString(refreshToken)) return "an unusable refresh_token";
  return refreshToken === undefined
    ? { accessToken, expiresInMs }
    : { accessToken, expiresInMs, refreshToken };
}

function describeContent(response: Response, body: unknown): string {
  if (body !== undefined) return "JSON";
  const type = (response.headers.get("content-type") ?? "").replace(/;.*$/, "").trim();
  return type ? `a ${type} body` : "a body that is not JSON";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
