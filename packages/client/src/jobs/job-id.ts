/**
 * The job id of a status URL: its last non-empty path segment, decoded. Adobe's status URLs end in
 * the id (`…/sensei/status/<jobId>`), which is how every client, Adobe's SDK included, reads it.
 *
 * @example
 * jobIdFromStatusUrl("https://image.adobe.io/sensei/status/f54e0fcb") // "f54e0fcb"
 */
export function jobIdFromStatusUrl(statusUrl: string): string {
  const segments = new URL(statusUrl).pathname.split("/").filter((segment) => segment !== "");
  const last = segments.at(-1) ?? "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
