import type { components } from "@psapi/openapi-types/photoshop";

/** The retired contract's `storage` values that a pre-signed URL can call for. */
export type UrlStorageType = Extract<components["schemas"]["StorageType"], "external" | "azure" | "dropbox">;

/**
 * The `storage` type the retired contract's `input`/`output` files want for a pre-signed URL: Azure
 * (`*.blob.core.windows.net`) and Dropbox links say so; anything else (S3, Google Cloud Storage, the
 * emulator) is `external`.
 *
 * @param url - A pre-signed URL, as a string or a `URL`.
 * @throws TypeError when the string is not an absolute URL.
 * @example
 * storageFor("https://acct.blob.core.windows.net/c/cat.png?sig=…") // "azure"
 * @see https://github.com/AdobeDocs/ffs-photoshop-API/blob/main/src/pages/getting-started/storage-solutions/index.md ("use dropbox or azure when the pre-signed URL comes from those services")
 */
export function storageFor(url: string | URL): UrlStorageType {
  const { hostname } = typeof url === "string" ? new URL(url) : url;
  if (hostname.endsWith(".blob.core.windows.net")) return "azure";
  if (hostname.endsWith(".dropboxusercontent.com") || hostname.endsWith(".dropbox.com")) return "dropbox";
  return "external";
}
