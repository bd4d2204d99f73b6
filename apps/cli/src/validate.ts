import { randomUUID } from "node:crypto";
import { accessSync, constants, statSync } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isLoopback } from "@psapi/core";
import { InvalidArgumentError } from "commander";
import { usageError } from "./cli-error.js";

/** What an `<input>` argument names: a local file to upload, or a URL the API reads itself. */
export type InputSource = { kind: "file"; path: string } | { kind: "url"; url: URL };

/**
 * Parses a URL given on the command line. Only https is accepted, except plain http to this machine
 * (a local emulator), because a token or an image must never cross a network in the clear.
 *
 * @param value - The argument as typed.
 * @returns The parsed URL.
 * @throws {InvalidArgumentError} When it is not an absolute https URL (or http on loopback).
 * @example
 * parseUrlArgument("http://127.0.0.1:4010").origin // "http://127.0.0.1:4010"
 */
export function parseUrlArgument(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected an absolute https:// URL.");
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url))) return url;
  throw new InvalidArgumentError("expected an https:// URL (plain http only to 127.0.0.1 or localhost).");
}

/**
 * Parses an `<input>` argument: an https URL, or a local file that must exist and be readable.
 *
 * @param value - The argument as typed.
 * @throws {InvalidArgumentError} When the URL is not https, or the file is missing, a directory, or
 *   unreadable.
 * @example
 * parseInputArgument("assets/coffee.png") // { kind: "file", path: "/…/assets/coffee.png" }
 */
export function parseInputArgument(value: string): InputSource {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { kind: "url", url: parseUrlArgument(value) };
  const path = resolve(value);
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new InvalidArgumentError("no such file.");
  }
  if (!isFile) throw new InvalidArgumentError("not a file.");
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new InvalidArgumentError("the file is not readable.");
  }
  return { kind: "file", path };
}

/**
 * Parses a positive number (seconds, counts).
 *
 * @param value - The argument as typed.
 * @throws {InvalidArgumentError} When it is not a finite number greater than zero.
 * @example
 * parsePositiveNumber("2.5") // 2.5
 */
export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError("expected a number greater than 0.");
  }
  return number;
}

/**
 * Makes sure a result can be written to `path` before any work starts, so that a long job never
 * ends with nowhere to put its output: creates the parent directory and checks it is writable.
 *
 * @param path - The `--out` path, relative to `cwd`.
 * @param cwd - The directory relative paths start from.
 * @returns The absolute path.
 * @throws {CliError} (usage) When the path is a directory or the location is not writable.
 * @example
 * await prepareOutPath("out/coffee-mask.png", process.cwd())
 */
export async function prepareOutPath(path: string, cwd: string): Promise<string> {
  const absolute = resolve(cwd, path);
  const existing = await stat(absolute).catch(() => undefined);
  if (existing?.isDirectory())
    throw usageError(`--out ${path} is a directory`, "give a file name, e.g. out/mask.png");
  try {
    await makeDirectory(dirname(absolute));
    // The result is written as a temporary file next to `path`, then renamed: try exactly that.
    // `access(W_OK)` is not enough: it says yes to root on a read-only mount or in /proc.
    const probe = `${absolute}.${randomUUID()}.probe`;
    await writeFile(probe, "");
    await rm(probe, { force: true });
  } catch {
    throw usageError(`cannot write to --out ${path}`, "choose a path in a directory you can write to");
  }
  return absolute;
}

/**
 * Creates `directory` and its missing parents one at a time, from the nearest one that exists.
 * Not `mkdir(…, { recursive: true })`: under /proc or /sys, Node's recursive mkdir retries forever
 * at 100 % CPU (`--out /proc/nope/x.png` never came back), where a plain mkdir fails at once.
 *
 * @param directory - An absolute path.
 * @throws The file system's error for the first directory that cannot be created.
 */
export async function makeDirectory(directory: string): Promise<void> {
  const missing: string[] = [];
  let current = directory;
  while ((await stat(current).catch(() => undefined)) === undefined) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing) {
    await mkdir(path).catch((error: NodeJS.ErrnoException) => {
      // Made in the meantime (another psapi writing next to this one) is as good as made here.
      if (error.code !== "EEXIST") throw error;
    });
  }
}
