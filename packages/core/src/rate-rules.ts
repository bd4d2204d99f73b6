/**
 * One sliding-window limit on the requests a client sends: at most `limit` requests matching
 * `method` and `route` within any `windowMs`, counted per client id (Adobe counts per organisation).
 * The emulator's gateway enforces rules of this shape and `@psapi/batch`'s limiters keep to them.
 */
export interface RateRule {
  /** Name, for the journal, logs and Redis keys (letters, digits, `-`). */
  readonly name: string;
  /** Only requests with this method count. Default: every method. */
  readonly method?: "GET" | "POST";
  /** Path glob, `*` matching anything (`/sensei/*`). Default: every API path. */
  readonly route?: string;
  /** Requests allowed per window. */
  readonly limit: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
}

/**
 * Adobe's documented per-organisation hard limits (above them Adobe answers 429): the general
 * service (POST 16 per 3 s and 320 per minute, GET 310 per 3 s), the retired Sensei masking and the
 * current masking (POST 60 per minute each; the current masking also 9000 per day), and remove
 * background (POST 3 per 3 s). The one list: the emulator enforces it with `--rate-limits` and `psapi batch`
 * keeps to it with `--rate-limits adobe`.
 *
 * @see https://github.com/AdobeDocs/ffs-photoshop-API/blob/main/src/pages/getting-started/technical-usage-notes/index.md (rate limits)
 */
export const ADOBE_RATE_RULES: readonly RateRule[] = /* @__PURE__ */ Object.freeze([
  { name: "post-3s", method: "POST", limit: 16, windowMs: 3_000 },
  { name: "post-1m", method: "POST", limit: 320, windowMs: 60_000 },
  { name: "get-3s", method: "GET", limit: 310, windowMs: 3_000 },
  { name: "sensei-1m", method: "POST", route: "/sensei/*", limit: 60, windowMs: 60_000 },
  { name: "masking-1m", method: "POST", route: "/v1/*", limit: 60, windowMs: 60_000 },
  { name: "masking-1d", method: "POST", route: "/v1/*", limit: 9_000, windowMs: 86_400_000 },
  { name: "remove-background-3s", method: "POST", route: "/v2/remove-background", limit: 3, windowMs: 3_000 },
] satisfies RateRule[]);

/**
 * How a rule reads a request, compiled once: it counts when the rule names no method or the same
 * one (in any case), and the rule has no route or its route glob matches the whole path, `*`
 * matching any run of characters (`/sensei/*` takes `/sensei/mask` and `/sensei/status/1`). The one
 * reading of a rule: the emulator's gateway and `@psapi/batch`'s limiters both ask it, so what one
 * enforces the other keeps to.
 *
 * @param rule - A rule.
 * @returns `(method, path) => boolean`.
 * @example
 * rateRuleMatcher({ name: "sensei-1m", method: "POST", route: "/sensei/*", limit: 60, windowMs: 60_000 })("POST", "/sensei/mask") // true
 */
export function rateRuleMatcher(rule: RateRule): (method: string, path: string) => boolean {
  const route =
    rule.route === undefined
      ? undefined
      : new RegExp(
          `^${rule.route
            .split("*")
            .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
        );
  return (method, path) =>
    (rule.method === undefined || rule.method === method.toUpperCase()) &&
    (route === undefined || route.test(path));
}
