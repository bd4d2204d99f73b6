import { type Clock, systemClock } from "@psapi/core";
import { type CompiledRule, compileRules, type RateRule } from "./rate-rules.js";

/**
 * Keeps requests inside sliding windows. `acquire` waits for a slot and counts the request;
 * `pause` holds matching requests until a time a `Retry-After` named.
 */
export interface RateLimiter {
  /**
   * Waits until a `method` `path` request fits every matching window, then counts it.
   * @throws the signal's reason when it aborts first.
   */
  acquire(method: string, path: string, signal?: AbortSignal): Promise<void>;
  /** Holds every request counted by a rule that matches `method` `path` until `untilMs` (epoch ms). */
  pause(method: string, path: string, untilMs: number): Promise<void>;
}

/** Options of {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** The windows. Default {@link ADOBE_RATE_RULES}. */
  rules: readonly RateRule[];
  /**
   * Added to every window, in ms: a request is timed when it leaves here and counted when it
   * arrives there, so two requests a window apart here may land within one window there. Default 250.
   */
  marginMs?: number;
  /** Time source. Default the system clock. */
  clock?: Clock;
}

/** A request is never held longer than this per wait round, so a pause that ends early is seen. */
const MAX_ROUND_MS = 1_000;

/**
 * A {@link RateLimiter} in process memory: one sliding log of send times per rule, the emulator's
 * own algorithm, so a client that stays inside it never sees a rate-limit 429 from a service that
 * counts the same way.
 *
 * @example
 * const limiter = createMemoryRateLimiter({ rules: ADOBE_RATE_RULES });
 * await limiter.acquire("POST", "/sensei/mask");
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions): RateLimiter & {
  /** How long a request would wait now, in ms, without counting it (0: it could go now). */
  waitFor(method: string, path: string): number;
} {
  const rules = compileRules(options.rules);
  const clock = options.clock ?? systemClock;
  const margin = options.marginMs ?? 250;
  const logs = new Map<CompiledRule, number[]>(rules.map((rule) => [rule, []]));
  const pausedUntil = new Map<CompiledRule, number>();

  const matching = (method: string, path: string) => rules.filter((rule) => rule.matches(method, path));

  function waitFor(method: string, path: string): number {
    const now = clock.now();
    let wait = 0;
    for (const rule of matching(method, path)) {
      const log = logs.get(rule) ?? [];
      const windowMs = rule.rule.windowMs + margin;
      while (log.length > 0 && (log[0] ?? 0) <= now - windowMs) log.shift();
      if (log.length >= rule.rule.limit) wait = Math.max(wait, (log[0] ?? now) + windowMs - now);
      wait = Math.max(wait, (pausedUntil.get(rule) ?? 0) - now);
    }
    return wait;
  }

  return {
    waitFor,
    async acquire(method, path, signal) {
      for (;;) {
        signal?.throwIfAborted();
        const wait = waitFor(method, path);
        if (wait <= 0) break;
        await clock.sleep(Math.min(wait, MAX_ROUND_MS), signal);
      }
      const now = clock.now();
      for (const rule of matching(method, path)) logs.get(rule)?.push(now);
    },
    async pause(method, path, untilMs) {
      for (const rule of matching(method, path)) {
        pausedUntil.set(rule, Math.max(pausedUntil.get(rule) ?? 0, untilMs));
      }
    },
  };
}
