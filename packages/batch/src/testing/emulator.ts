// Test helper: an in-process emulator, a client that goes through a rate limiter, and the
// emulator's storage as the runner's BatchStorage.
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient } from "@psapi/client/all";
import { type CreateEmulatorOptions, createEmulator, type JournalEntry } from "@psapi/mock-server";
import { type BatchInput, expandInputs } from "../inputs.js";
import { createRateLimitedFetch } from "../rate-limited-fetch.js";
import { createMemoryRateLimiter } from "../rate-limiter.js";
import type { RateRule } from "../rate-rules.js";
import type { BatchStorage } from "../runner.js";

export const ORIGIN = "http://127.0.0.1:4010";
export const DISC_PNG = new URL("./disc.png", import.meta.url).pathname;

/**
 * `count` copies of the sample photo in `<dir>/photos` (`p000.png`, …), expanded as a batch's inputs
 * (keys relative to `dir`: `photos/p000.png`).
 */
export async function photoInputs(dir: string, count: number): Promise<BatchInput[]> {
  await mkdir(join(dir, "photos"), { recursive: true });
  for (let i = 0; i < count; i++)
    await copyFile(DISC_PNG, join(dir, "photos", `p${String(i).padStart(3, "0")}.png`));
  return expandInputs(join(dir, "photos"), dir);
}

/** An emulator in this process, a client limited by `rules`, and storage over the control API. */
export function startEmulator(options: CreateEmulatorOptions & { clientRules?: readonly RateRule[] } = {}) {
  const app = createEmulator({
    publicUrl: ORIGIN,
    jobs: { pendingMs: 0, runningMs: 0 },
    limits: { maxJournalEntries: 100_000, maxJobs: 10_000, maxObjects: 10_000 },
    ...options,
  });
  const fetch = async (request: Request) => app.fetch(request);
  const auth = createServerToServerAuth({
    clientId: "psapi-demo-client",
    clientSecret: "psapi-demo-secret",
    imsUrl: ORIGIN,
    fetch,
  });
  const limiter = createMemoryRateLimiter({ rules: options.clientRules ?? [] });
  const client = createPhotoshopClient({
    auth,
    baseUrl: ORIGIN,
    fetch: createRateLimitedFetch({ fetch, limiter }),
    timeoutMs: 0,
    retry: { baseDelayMs: 20 },
  });
  const presign = async (key: string, method: "GET" | "PUT") => {
    const response = await fetch(
      new Request(`${ORIGIN}/__emulator/storage/presign`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key, method }),
      }),
    );
    return ((await response.json()) as { url: string }).url;
  };
  const storage: BatchStorage = {
    async upload(key, path, signal) {
      const { readFile } = await import("node:fs/promises");
      const put = await presign(key, "PUT");
      const response = await fetch(
        new Request(put, {
          method: "PUT",
          body: await readFile(path),
          headers: { "content-type": "image/png" },
          signal,
        }),
      );
      if (!response.ok) throw new Error(`upload failed: ${response.status}`);
      return presign(key, "GET");
    },
    outputUrl: (key) => presign(key, "PUT"),
    async download(key, path, signal) {
      const response = await fetch(new Request(await presign(key, "GET"), { signal }));
      if (!response.ok) throw new Error(`download failed: ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      await writeFile(path, bytes);
      return bytes.byteLength;
    },
  };
  const journal = async (filter = ""): Promise<JournalEntry[]> => {
    const response = await fetch(new Request(`${ORIGIN}/__emulator/journal?limit=100000${filter}`));
    return ((await response.json()) as { entries: JournalEntry[] }).entries;
  };
  const control = (path: string, body: unknown) =>
    fetch(
      new Request(`${ORIGIN}/__emulator${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  return { app, fetch, auth, client, storage, journal, control };
}
