import { createFakeClock } from "@psapi/core/testing";
import { createPhotoshopClient, type PhotoshopClientOptions } from "../all.js";
import type { CreateMaskRequest } from "../types.js";
import { fakeAuth } from "./fake-auth.js";
import { json, type Reply, scriptedFetch } from "./fake-fetch.js";

/** A client on a fake clock, fake auth and a scripted fetch; jitter is fixed at `random`. */
export function setup(replies: readonly Reply[], options: Partial<PhotoshopClientOptions> = {}) {
  const clock = createFakeClock();
  const { fetch, seen } = scriptedFetch(clock, replies);
  const auth = fakeAuth();
  const warnings: Array<Record<string, unknown> | undefined> = [];
  const client = createPhotoshopClient({
    auth,
    fetch,
    clock,
    random: () => 0,
    // The v1 tests exercise the retired contract's wire behaviour on a fake image.adobe.io; the
    // refusal itself is tested with `sendRetired: false`.
    sendRetired: true,
    logger: { warn: (_message, fields) => warnings.push(fields) },
    ...options,
  });
  return { clock, seen, auth, client, warnings };
}

/** A mask request whose hrefs carry signatures that must never leak. */
export const MASK_BODY: CreateMaskRequest = {
  input: { href: "https://bucket.example/in.jpg?X-Amz-Signature=in-secret", storage: "external" },
  output: { href: "https://bucket.example/out.png?X-Amz-Signature=out-secret", storage: "external" },
};

/** Adobe's 202 answer to a Sensei POST. */
export function accepted(jobId: string, base = "https://image.adobe.io", path = "/sensei/status/"): Response {
  return json(202, { _links: { self: { href: `${base}${path}${jobId}` } } });
}
