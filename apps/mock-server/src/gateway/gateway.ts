import type { Context, MiddlewareHandler, Next } from "hono";
import type { EmulatorContext, EmulatorEnv } from "../context.js";
import { GatewayError, ServiceError } from "../http/errors.js";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The API gateway in front of every Photoshop route, in one middleware (each layer costs every
 * request a dispatch): a missing, unknown, expired or revoked token is 401 `401013`; a missing or
 * unknown `x-api-key`, or one that is not the token's client, is 403 `403003`; then, when rate
 * limits are on, a client over its window is 429 `429001` with `retry-after`. Sets `clientId` for
 * the handlers.
 */
export function createGateway(ctx: EmulatorContext): MiddlewareHandler<EmulatorEnv> {
  const admit = (c: Context<EmulatorEnv>, next: Next, clientId: string | undefined) => {
    if (!clientId) throw new GatewayError(401, "401013", "Oauth token is not valid");
    const apiKey = c.req.header("x-api-key");
    if (!apiKey || apiKey !== clientId || !ctx.options.clients.has(apiKey)) {
      throw new GatewayError(403, "403003", "Api Key is invalid");
    }
    c.set("clientId", clientId);
    // Rate limits are off by default: then this costs one length check, not a clock read and a route match.
    const denied =
      ctx.options.rateLimits.length > 0 &&
      ctx.rateLimiter.take(clientId, c.req.method, c.req.path, ctx.time.now());
    if (denied) {
      throw new GatewayError(429, "429001", "Too many requests", {
        "retry-after": String(denied.retryAfter),
        "x-access-rate-limit-level": "org",
      });
    }
    return next();
  };
  return function gateway(c, next) {
    const token = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
    if (!token) return admit(c, next, undefined);
    // Synchronous when the token was verified before (every request after the first): no awaits.
    const cached = ctx.tokens.cachedClientId(token);
    if (cached) return admit(c, next, cached);
    return ctx.tokens.verify(token).then((claims) => admit(c, next, claims?.clientId));
  };
}

/**
 * The trial quota (see {@link TrialQuota}): a submission reserves one call before it runs and gives
 * it back unless it answers 202; over the quota it is 402 `TrialLimitExceededError`. Every 202
 * carries `X-Access-Consumption-Status` and `X-Access-Applied-Until-Date` (when credits refill),
 * as Adobe's gateway sends them; the 402 carries the date too.
 */
export function createTrialQuota(ctx: EmulatorContext): MiddlewareHandler<EmulatorEnv> {
  return async function trialQuota(c, next) {
    const clientId = c.get("clientId");
    const reservation = ctx.quota.reserve(clientId);
    const refill = new Date(reservation.refillsAt).toISOString();
    if (!reservation.ok) {
      throw new ServiceError(
        402,
        {
          type: "TrialLimitExceededError",
          code: 402,
          title: "Trial Limit Exceeded Error",
          details: `You have exceeded the limit of ${ctx.options.trialQuota} calls for the free trial. Please contact your Adobe Account Manager.`,
        },
        { "x-access-applied-until-date": refill },
      );
    }
    let accepted = false;
    try {
      await next();
      accepted = c.res.status === 202;
    } finally {
      if (!accepted) ctx.quota.release(clientId);
    }
    c.res.headers.set("x-access-consumption-status", reservation.status);
    c.res.headers.set("x-access-applied-until-date", refill);
  };
}
