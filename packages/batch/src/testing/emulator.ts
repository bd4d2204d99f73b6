// Test helper: an in-process emulator, a client that goes through a rate limiter, and the
// emulator's storage as the runner's BatchStorage.
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient } from "@psapi/client/all";
import { type CreateEmulatorOptions, createEmulator } from "@psapi/mock-server";
import { createEmulatorControl, type EmulatorJournalQuery } from "@psapi/mock-server/control";
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
  const control = createEmulatorControl({ baseUrl: ORIGIN, fetch });
  const storage: BatchStorage = {
    upload: async (key, path, signal) =>
      control.putObject(key, new Uint8Array(await readFile(path)), "image/png", { signal }),
    outputUrl: async (key) => (await control.presign(key, "PUT")).url,
    async download(key, path, signal) {
      const bytes = await control.getObject(key, { signal });
      await writeFile(path, bytes);
      return bytes.byteLength;
    },
  };
  const journal = (query: EmulatorJournalQuery = {}) => control.journal({ limit: 100_000, ...query });
  return { app, fetch, auth, client, storage, journal, control };
}
