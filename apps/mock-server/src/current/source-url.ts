/**
 * The storage domains Adobe fetches image inputs from (the spec's `UrlResource.url`): an `https`
 * URL whose host is one of these or a subdomain of one (a label boundary: `evilamazonaws.com` is
 * refused).
 *
 * @see `@psapi/openapi` photoshop-current.yaml, `#/components/schemas/SourceUrl`
 */
export const ADOBE_SOURCE_DOMAINS: readonly string[] = Object.freeze([
  "amazonaws.com",
  "windows.net",
  "dropboxusercontent.com",
  "assets.frame.io",
  "storage.googleapis.com",
]);

/**
 * Why a source URL would be refused, or undefined when it is accepted: the emulator's own storage
 * (any of `ownOrigins`) always is, plain http included; anything else must be https on one of
 * `domains` or a subdomain of one. The message names the host, never the query (a credential).
 */
export function sourceUrlProblem(
  href: string,
  domains: readonly string[],
  ownOrigins: ReadonlySet<string>,
): string | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return "is not an absolute URL";
  }
  if (ownOrigins.has(url.origin)) return undefined;
  const host = url.hostname.toLowerCase();
  const listed = domains.some((domain) => host === domain || host.endsWith(`.${domain}`));
  if (!listed) return `host ${host} is not an allowed storage domain (${domains.join(", ")})`;
  if (url.protocol !== "https:") return "must be an https URL";
  return undefined;
}
