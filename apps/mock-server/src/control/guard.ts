import { isLoopback } from "@psapi/core";
import type { MiddlewareHandler } from "hono";
import type { EmulatorContext, EmulatorEnv } from "../context.js";
import { ServiceError } from "../http/errors.js";
import { isLocalHostName } from "../lib/local-host-name.js";
import { OBJECTS_PATH } from "../storage/signing.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function forbidden(reason: string): ServiceError {
  return new ServiceError(403, {
    type: "ForbiddenError",
    code: 403,
    title: "The emulator's control API refused this request",
    details: [{ name: "request", reason }],
  });
}

/**
 * Why a request must not reach the control API or the inspector, or `undefined` when it may.
 *
 * - Unless `exposeControl` is set, only loopback peers are served (the emulator may be bound
 *   beyond loopback for its API, never for its unauthenticated control API), and the `Host` must
 *   be a loopback name or `publicUrl`'s: a page on `evil.example` whose name was re-pointed at
 *   127.0.0.1 (DNS rebinding) is refused.
 * - A state-changing request from a browser must be same-origin: `Sec-Fetch-Site` must be
 *   `same-origin` (or `none`, typed by the user) and `Origin`, when sent, the emulator's own.
 *   Clients that are not browsers send neither header and are not affected.
 */
export function refusal(
  ctx: EmulatorContext,
  request: { method: string; url: string; header(name: string): string | undefined },
  remoteAddress: string | undefined,
): string | undefined {
  const url = new URL(request.url);
  if (!ctx.options.exposeControl) {
    // In-process (app.request / app.fetch) there is no socket: the caller is this process.
    if (remoteAddress !== undefined && !isLoopback(remoteAddress)) {
      return "the control API answers loopback clients only (start the emulator with --expose-control to change that)";
    }
    const publicHost = ctx.options.publicUrl ? new URL(ctx.options.publicUrl).hostname : undefined;
    if (!isLocalHostName(url) && url.hostname !== publicHost) {
      return "the Host is not a loopback name nor publicUrl's host (start the emulator with --expose-control to allow it)";
    }
  }
  if (SAFE_METHODS.has(request.method)) return undefined;
  const site = request.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return "a state-changing request must come from the emulator's own pages (Sec-Fetch-Site)";
  }
  const origin = request.header("origin");
  if (origin !== undefined && origin !== url.origin) {
    return "a state-changing request must come from the emulator's own origin (Origin)";
  }
  return undefined;
}

/**
 * Guards `/__emulator/*` (the control API and the inspector, not the signed storage objects)
 * with {@link refusal}, answering 403 `ForbiddenError`; after a state-changing request it tells
 * the inspector's event streams.
 */
export function createControlGuard(ctx: EmulatorContext): MiddlewareHandler<EmulatorEnv> {
  return async function controlGuard(c, next) {
    if (c.req.path.startsWith(OBJECTS_PATH)) return next();
    const reason = refusal(ctx, c.req, c.env?.incoming?.socket?.remoteAddress);
    if (reason) throw forbidden(reason);
    await next();
    if (!SAFE_METHODS.has(c.req.method) && c.res.status < 400) ctx.changes.notify("state");
  };
}
