import type { Middleware } from "openapi-fetch";
import { invalid } from "../validate.js";
import { VERSION } from "../version.js";

/** Options of {@link createUserAgentMiddleware}. */
export interface UserAgentMiddlewareOptions {
  /** Your product token, e.g. `"my-pipeline/2.1"`; it goes before psapi's own. */
  userAgent?: string;
}

/** Product tokens: printable ASCII words; a control character would allow header injection. */
const PRODUCT = /^[!-~]+( [!-~]+)*$/;

/**
 * Sets `User-Agent: <yours> psapi-client/<version>` so that Adobe's logs (and the emulator's journal)
 * can tell which client sent a request.
 *
 * @param options - Your own product token, if any.
 * @throws {TypeError} when `userAgent` contains control characters or is empty.
 * @example
 * raw.use(createUserAgentMiddleware({ userAgent: "my-pipeline/2.1" }));
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.1.5
 */
export function createUserAgentMiddleware({ userAgent }: UserAgentMiddlewareOptions = {}): Middleware {
  if (userAgent !== undefined && !PRODUCT.test(userAgent)) {
    invalid("userAgent must be printable ASCII words separated by single spaces, e.g. my-app/1.0");
  }
  const value = userAgent === undefined ? `psapi-client/${VERSION}` : `${userAgent} psapi-client/${VERSION}`;
  return {
    onRequest({ request }) {
      request.headers.set("User-Agent", value);
      return undefined;
    },
  };
}
