import { type Clock, systemClock } from "@psapi/core";
import { type CompiledRule, compileRules, type RateRule } from "./rate-rules.js";

/**
 * A request's place in the windows, from {@link RateLimiter.acquire}. Until it is settled it
 * counts as arriving now (it may reach the service at any moment); once settled, as having arrived
 * when it was settled: the latest time it can have reached the service, whatever the latency.
 */
export interface RateSlot {
  /** Call once the answer's headers are in, or the request failed. */
  settle(): Promise<void>;
}

/**
 * Keeps requests inside sliding windows. `acquire` waits for a slot and counts the request;
 * `pause` holds matching requests until a time a `Retry-After` named.
 */
export interface RateLimiter {
  /**
   * Waits until a `method` `path` request fits every matching window, then counts it.
   * @returns Its slot, to settle when the answer arrives.
   * @throws the signal's reason when it aborts first.
   */
  acquire(method: string, path: string, signal?: AbortSignal): Promise<RateSlot>;
  /** Holds every request counted by a rule that matches `method` `path` until `untilMs` (epoch ms). */
  pause(method: string, path: string, untilMs: number): Promise<void>;
}

/** Options of {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** The windows. Default {@link ADOBE_RATE_RULES}. */
  rules: readonly RateRule[];
  /**
   * Added to every window, in ms, for what the settle time cannot cover: the rounding of two
   * clocks (this one and the service's) to whole milliseconds. Default 50.
   */
  marginMs?: number;
  /** Time source. Default the system clock. */
  clock?: Clock;
}

/** A request is never held longer than this per wait round, so a pause that ends early is seen. */
const MAX_ROUND_MS = 1_000;

/** One counted request: when it arrived at the latest, or `undefined` while it is in flight. */
interface Entry {
  at: number | undefined;
}

/**
 * A {@link RateLimiter} in process memory: one sliding log per rule, the service's own algorithm.
 * A request is timed by when it can have arrived at the latest: while in flight, now; once its
 * answer is in, the time it came (see {@link RateSlot}). The service times it somewhere between its
 * sending and its answer, so two requests this limiter keeps a window apart arrive at least a
 * window apart there too, however the latency varies: a client inside it never sees a rate-limit
 * 429 from a service that counts the same way.
 *
 * @example
 * const limiter = createMemoryRateLimiter({ rules: ADOBE_RATE_RULES });
 * const slot = await limiter.acquire("POST", "/sensei/mask");
 * try { await fetch(request) } finally { await slot.settle() }
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions): RateLimiter & {
  /** How long a request would wait now, in ms, without counting it (0: it could go now). */
  waitFor(method: string, path: string): number;
  /**
   * Counts a request made elsewhere that arrived at `atMs` (epoch ms) at the latest: a run that
   * goes on from a killed one's journal counts what the killed run sent, which the service still
   * holds in its windows.
   */
  record(method: string, path: string, atMs: number): void;
} {
  const rules = compileRules(options.rules);
  const clock = options.clock ?? systemClock;
  const margin = options.marginMs ?? 50;
  const logs = new Map<CompiledRule, Entry[]>(rules.map((rule) => [rule, []]));
  const pausedUntil = new Map<CompiledRule, number>();

  const matching = (method: string, path: string) => rules.filter((rule) => rule.matches(method, path));

  function waitFor(method: string, path: string): number {
    const now = clock.now();
    let wait = 0;
    for (const rule of matching(method, path)) {
      const windowMs = rule.rule.windowMs + margin;
      const log = (logs.get(rule) ?? []).filter(
        (entry) => entry.at === undefined || entry.at > now - windowMs,
      );
      logs.set(rule, log);
      if (log.length >= rule.rule.limit) {
        const oldest = Math.min(...log.map((entry) => entry.at ?? now));
        wait = Math.max(wait, oldest + windowMs - now);
      }
      wait = Math.max(wait, (pausedUntil.get(rule) ?? 0) - now);
    }
    return wait;
  }

  return {
    waitFor,
    record(method, path, atMs) {
      for (const rule of matching(method, path)) logs.get(rule)?.push({ at: atMs });
    },
    async acquire(method, path, signal) {
      for (;;) {
        signal?.throwIfAborted();
        const wait = waitFor(method, path);
        if (wait <= 0) break;
        await clock.sleep(Math.min(wait, MAX_ROUND_MS), signal);
      }
      const entry: Entry = { at: undefined };
      for (const rule of matching(method, path)) logs.get(rule)?.push(entry);
      return {
        async settle() {
          entry.at ??= clock.now();
        },
      };
    },
    async pause(method, path, untilMs) {
      for (const rule of matching(method, path)) {
        pausedUntil.set(rule, Math.max(pausedUntil.get(rule) ?? 0, untilMs));
      }
    },
  };
}
