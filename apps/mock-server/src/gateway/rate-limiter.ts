import { rateRuleMatcher } from "@psapi/core";
import type { RateLimitRule } from "../options.js";

/**
 * Sliding-window rate limits counted per client. Each window keeps at most `limit` timestamps, so
 * memory is bounded by rules × clients × limit.
 */
export class RateLimiter {
  readonly #rules: { rule: RateLimitRule; counts: (method: string, path: string) => boolean }[];
  readonly #logs = new Map<string, number[]>();

  /** @param rules - the windows to enforce. */
  constructor(rules: readonly RateLimitRule[]) {
    this.#rules = rules.map((rule) => ({ rule, counts: rateRuleMatcher(rule) }));
  }

  /**
   * Counts one request against every matching window, unless one of them is full.
   *
   * @returns `undefined` when allowed, else the seconds until the fullest window frees a slot.
   */
  take(
    clientId: string,
    method: string,
    path: string,
    now: number,
  ): { retryAfter: number; rule: string } | undefined {
    const matching: { log: number[]; rule: RateLimitRule }[] = [];
    for (const { rule, counts } of this.#rules) {
      if (!counts(method, path)) continue;
      const key = `${rule.name}\n${clientId}`;
      const log = (this.#logs.get(key) ?? []).filter((t) => t > now - rule.windowMs);
      this.#logs.set(key, log);
      matching.push({ log, rule });
    }
    let denied: { retryAfter: number; rule: string } | undefined;
    for (const { log, rule } of matching) {
      const oldest = log[0];
      if (log.length >= rule.limit && oldest !== undefined) {
        const retryAfter = Math.max(1, Math.ceil((oldest + rule.windowMs - now) / 1000));
        if (!denied || retryAfter > denied.retryAfter) denied = { retryAfter, rule: rule.name };
      }
    }
    if (denied) return denied;
    for (const { log } of matching) log.push(now);
    return undefined;
  }

  /**
   * Every window that counted a call, with the calls still in it at `now` (the control API's
   * `GET /__emulator/limits` and the inspector).
   */
  snapshot(now: number): { rule: string; clientId: string; used: number; limit: number; windowMs: number }[] {
    const out = [];
    for (const [key, log] of this.#logs) {
      const [name = "", clientId = ""] = key.split("\n");
      const rule = this.#rules.find((entry) => entry.rule.name === name)?.rule;
      if (!rule) continue;
      const used = log.filter((t) => t > now - rule.windowMs).length;
      out.push({ rule: name, clientId, used, limit: rule.limit, windowMs: rule.windowMs });
    }
    return out;
  }

  /** Forgets every window. */
  reset(): void {
    this.#logs.clear();
  }
}
