import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { EmulatorEnv } from "../context.js";
import { ERROR_CODES, errorFamily } from "../current/family.js";
import type { EmulatorLimits } from "../options.js";
import { OBJECTS_PATH } from "../storage/signing.js";
import { GatewayError, OAuthError, ServiceError, StorageError } from "./errors.js";

/**
 * Answers 413 for a body over the limit, in the error family of the route: S3 XML for stored
 * objects (limit `maxObjectBytes`), OAuth for IMS, the current contract's `{error_code, message}` on `/v1/` and `/v2/`, the service shape elsewhere (`maxBodyBytes`).
 * Checks Content-Length up front and counts streamed bodies, so nothing past the limit is buffered.
 * The app installs it for the methods that carry a body only: Hono's bodyLimit reads
 * `c.req.raw.body`, which makes @hono/node-server build a full Request (a sixth of a GET's CPU time).
 */
export function createBodyLimitMiddleware(
  limits: Pick<EmulatorLimits, "maxBodyBytes" | "maxObjectBytes">,
): MiddlewareHandler<EmulatorEnv> {
  const objects = bodyLimit({
    maxSize: limits.maxObjectBytes,
    onError: () => {
      throw new StorageError(413, "EntityTooLarge", `Objects may be at most ${limits.maxObjectBytes} bytes`);
    },
  });
  const others = bodyLimit({
    maxSize: limits.maxBodyBytes,
    onError: (c) => {
      const title = `Request body is larger than ${limits.maxBodyBytes} bytes`;
      if (c.req.path.startsWith("/ims/")) throw new OAuthError(413, "invalid_request", title);
      const family = errorFamily(c.req.path);
      if (family) throw new GatewayError(413, ERROR_CODES[family].invalid, title);
      throw new ServiceError(413, { type: "PayloadTooLargeError", code: 413, title });
    },
  });
  return async function limitBody(c, next) {
    const limiter = c.req.path.startsWith(OBJECTS_PATH) ? objects : others;
    return limiter(c, next);
  };
}
