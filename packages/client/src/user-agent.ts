import { invalid } from "./validate.js";
import { VERSION } from "./version.js";

/** Product tokens: printable ASCII words; a control character would allow header injection. */
const PRODUCT = /^[!-~]+( [!-~]+)*$/;

/**
 * The `User-Agent` the client sends, `<yours> psapi-client/<version>` or psapi's token alone, so that
 * Adobe's logs (and the emulator's journal) can tell which client sent a request. The client sets it
 * as a default header of its openapi-fetch client: no middleware runs for it.
 *
 * @param userAgent - Your own product token, if any, e.g. `"my-pipeline/2.1"`.
 * @throws {TypeError} when `userAgent` contains control characters or is empty.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.1.5
 */
export function userAgentHeader(userAgent: string | undefined): string {
  if (userAgent !== undefined && !PRODUCT.test(userAgent)) {
    invalid("userAgent must be printable ASCII words separated by single spaces, e.g. my-app/1.0");
  }
  return userAgent === undefined ? `psapi-client/${VERSION}` : `${userAgent} psapi-client/${VERSION}`;
}
