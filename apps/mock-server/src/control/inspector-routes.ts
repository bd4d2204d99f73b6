import type { components } from "@psapi/openapi-types/emulator";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { EmulatorContext, EmulatorEnv } from "../context.js";
import { inputValidationError, issue, resourceNotFound, ServiceError } from "../http/errors.js";
import type { ChangeKind } from "../inspector/change-feed.js";
import { jobImages, ownStoreKey, renderThumbnail } from "../inspector/job-images.js";

/** Seconds between keep-alive comments on an idle event stream (proxies drop silent connections). */
const KEEP_ALIVE_MS = 15_000;

/** The rate-limit windows and trial-quota counts now: `GET /__emulator/limits` and the faults view. */
export function limitsSnapshot(ctx: EmulatorContext): components["schemas"]["Limits"] {
  return {
    rateLimits: {
      enabled: ctx.options.rateLimits.length > 0,
      windows: ctx.rateLimiter.snapshot(ctx.time.now()),
    },
    trialQuota: ctx.quota.snapshot() ?? null,
  };
}

/**
 * The control API routes the inspector reads (see `openapi/emulator.yaml`): the change event
 * stream, issued tokens, job thumbnails, and the rate-limit and quota state. Like the rest of the
 * control API they never show a secret: tokens by id, jobs without hrefs.
 */
export function createInspectorControlRoutes(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();

  router.get("/events", (c) => {
    const limitText = c.req.query("limit");
    if (limitText !== undefined && !/^[1-9]\d{0,5}$/.test(limitText)) {
      throw inputValidationError("Query parameter limit must be an integer >= 1", [
        issue("/limit", "type", "must be an integer >= 1"),
      ]);
    }
    let left = limitText === undefined ? Number.POSITIVE_INFINITY : Number(limitText);
    const pending = new Set<ChangeKind>();
    let wake: (() => void) | undefined;
    const unsubscribe = ctx.changes.subscribe((kind) => {
      pending.add(kind);
      wake?.();
    });
    if (!unsubscribe) {
      throw new ServiceError(503, {
        type: "ServiceUnavailableError",
        code: 503,
        title: "Too many open event streams; close an inspector tab",
      });
    }
    const shutdown = ctx.options.signal;
    return streamSSE(c, async (stream) => {
      const end = () => wake?.();
      stream.onAbort(end);
      shutdown?.addEventListener("abort", end, { once: true });
      try {
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ now: ctx.time.now() }), retry: 1000 });
        left -= 1;
        while (left > 0 && !stream.aborted && !stream.closed && !shutdown?.aborted) {
          if (pending.size === 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, KEEP_ALIVE_MS);
              timer.unref?.();
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
            if (pending.size === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
            continue;
          }
          const kinds = [...pending].slice(0, left);
          pending.clear();
          for (const kind of kinds) await stream.writeSSE({ event: kind, data: JSON.stringify({ kind }) });
          left -= kinds.length;
        }
      } finally {
        unsubscribe();
        shutdown?.removeEventListener("abort", end);
      }
    });
  });

  router.get("/tokens", (c) => {
    const clientId = c.req.query("clientId");
    const tokens = ctx.tokens.list().filter((token) => !clientId || token.clientId === clientId);
    return c.json({ tokens });
  });

  router.get("/jobs/:jobId/thumbnails/:index", async (c) => {
    const job = ctx.jobs.list().find((candidate) => candidate.id === c.req.param("jobId"));
    const index = c.req.param("index");
    const image = job && /^\d{1,2}$/.test(index) ? jobImages(job)[Number(index)] : undefined;
    const key = job && image && ownStoreKey(image, job.ownOrigins);
    const object = key ? ctx.store.get(key) : undefined;
    const png = object && (await renderThumbnail(object.bytes, image?.boxes));
    if (!png) throw resourceNotFound();
    c.header("content-type", "image/png");
    c.header("cache-control", "no-store");
    return c.body(new Uint8Array(png));
  });

  router.get("/limits", (c) => c.json(limitsSnapshot(ctx)));

  return router;
}
