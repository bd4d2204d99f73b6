import { randomUUID } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";

/**
 * Writes `bytes` to `path` through a temporary file in the same directory and a rename, so that
 * `path` holds either its old content or the whole new one, never half a file.
 *
 * @param path - The destination; its directory must exist.
 * @param bytes - The content.
 * @throws The file system's error, after removing the temporary file.
 * @example
 * await writeFileAtomic("out/coffee-mask.png", png);
 * Exported as `@psapi/core/files`: Node only, kept out of the main entry so that browsers never load it.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.partial`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
