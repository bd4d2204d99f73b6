/** Adobe's production host for the v1 Photoshop API, the default `baseUrl`. */
export const DEFAULT_BASE_URL = "https://image.adobe.io";

/** Adobe's host for the Photoshop API v2 (`generate-manifest` and its status). */
export const DEFAULT_PHOTOSHOP_API_URL = "https://photoshop-api.adobe.io";

/**
 * Whether a URL is on one of Adobe's own hosts: `adobe.io` and its subdomains (`image.adobe.io`,
 * `photoshop-api.adobe.io`). The client refuses retired operations there, and the CLI treats such a
 * target as Adobe's (no emulator storage).
 *
 * @param url An absolute URL.
 * @throws {TypeError} When `url` is a string that is not an absolute URL.
 * @example
 * isAdobeHost("https://image.adobe.io/sensei/mask") // true
 * isAdobeHost("http://127.0.0.1:4010") // false
 */
export function isAdobeHost(url: string | URL): boolean {
  return /(^|\.)adobe\.io$/.test(new URL(url).hostname);
}
