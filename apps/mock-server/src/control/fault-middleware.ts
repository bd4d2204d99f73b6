import type { MiddlewareHandler } from "hono";
import type { EmulatorContext, EmulatorEnv } from "../context.js";
import { ERROR_CODES, errorFamily } from "../current/family.js";
import {
  ConnectionResetFault,
  GatewayError,
  inputValidationError,
  issue,
  ServiceError,
} from "../http/errors.js";
import { type FaultAction, parseFaultHeader } from "./faults.js";

const GATEWAY_FAULTS: Record<number, [string, string]> = {
  429: ["429001", "Too many requests"],
  502: ["502001", "Bad Gateway"],
  503: ["503001", "Service Unavailable"],
  504: ["504001", "Gateway Timeout"],
};

function describe(action: FaultAction): string {
  return [
    action.latencyMs !== undefined ? `latency=${action.latencyMs}` : undefined,
    action.reset ? "reset" : undefined,
    action.status !== undefined ? String(action.status) : undefined,
  ]
    .filter(Boolean)
    .join(",");
}

/**
 * Injects faults: the `x-emulator-fault` header of the request wins, else the first matching rule
 * of the fault table. Latency first, then a connection reset (the socket is destroyed when there is
 * one; `app.fetch` rejects with a TypeError either way) or a status answer in Adobe's shape.
 */
export function createFaultMiddleware(ctx: EmulatorContext): MiddlewareHandler<EmulatorEnv> {
  return async function injectFaults(c, next) {
    const header = c.req.header("x-emulator-fault");
    // The common case (no header, empty table) skips the route match.
    if (header === undefined && ctx.faults.empty) return next();
    let action: FaultAction | undefined;
    if (header !== undefined) {
      const parsed = parseFaultHeader(header);
      if (typeof parsed === "string") {
        throw inputValidationError("Invalid x-emulator-fault header", [issue("", "header", parsed)]);
      }
      action = parsed;
    } else {
      action = ctx.faults.match(c.req.method, c.req.path);
    }
    if (!action) return next();
    c.set("fault", describe(action));
    if (action.latencyMs) {
      try {
        await ctx.time.sleep(action.latencyMs, ctx.timerSignal());
      } catch {
        // A reset or shutdown cut the wait short: the service is going away, not broken.
        throw new GatewayError(503, "503001", "Service Unavailable");
      }
    }
    if (action.reset) {
      c.env?.incoming?.socket.destroy();
      throw new ConnectionResetFault();
    }
    if (action.status === undefined) return next();
    const headers: Record<string, string> = {};
    if (action.retryAfter !== undefined || action.status === 429) {
      headers["retry-after"] = String(action.retryAfter ?? 1);
    }
    const family = errorFamily(c.req.path);
    if (action.status === 500 && family) {
      throw new GatewayError(500, ERROR_CODES[family].internal, "Internal Server Error.", headers);
    }
    if (action.status === 500) {
      throw new ServiceError(
        500,
        { type: "UndefinedError", code: 500, title: "Internal Server Error" },
        headers,
      );
    }
    if (action.status === 429) headers["x-access-rate-limit-level"] = "org";
    const [code, message] = GATEWAY_FAULTS[action.status] ?? ["500001", "Internal error"];
    throw new GatewayError(action.status, code, message, headers);
  };
}
