import { relative } from "node:path";

/**
 * Width and height of a PNG, read from its IHDR chunk; `undefined` when the bytes are not a PNG.
 *
 * @param bytes - The file's first 24 bytes or more.
 * @example
 * pngSize(await readFile("out/coffee-mask.png")) // { width: 600, height: 400 }
 * @see https://www.w3.org/TR/png-3/#5PNG-file-signature
 */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.byteLength < 24 || signature.some((byte, index) => bytes[index] !== byte)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * A byte count for people: `812 B`, `14.2 KB`, `3.1 MB`.
 *
 * @param bytes - A non-negative count.
 * @example
 * formatBytes(14_540) // "14.2 KB"
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A path as the user should see it: relative to where they are when that is shorter and inside.
 *
 * @param path - An absolute path.
 * @param cwd - The user's directory.
 * @example
 * displayPath("/home/me/out/a.png", "/home/me") // "out/a.png"
 */
export function displayPath(path: string, cwd: string): string {
  const fromCwd = relative(cwd, path);
  return fromCwd === "" || fromCwd.startsWith("..") ? path : fromCwd;
}

/**
 * A duration for people: `850 ms`, `12.4 s`, `3 h 5 min`.
 *
 * @param ms - Milliseconds (negative counts as 0).
 * @example
 * formatDuration(86_399_000) // "23 h 59 min"
 */
export function formatDuration(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < 1000) return `${Math.round(clamped)} ms`;
  if (clamped < 60_000) return `${(clamped / 1000).toFixed(1)} s`;
  const minutes = Math.floor(clamped / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
