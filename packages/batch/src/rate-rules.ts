/**
 * One sliding-window limit on the requests a client sends: at most `limit` requests matching
 * `method` and `route` within any `windowMs`. The same shape as the emulator's `RateLimitRule`.
 */
export interface RateRule {
  /** Name, for logs and Redis keys (letters, digits, `-`). */
  readonly name: string;
  /** Only requests with this method count. Default: every method. */
  readonly method?: "GET" | "POST";
  /** Path glob, `*` matching anything (`/sensei/*`). Default: every path. */
  readonly route?: string;
  /** Requests allowed per window. */
  readonly limit: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
}

/**
 * Adobe's documented per-organisation windows (hard limits: above them Adobe answers 429), for the
 * general service, the masking service and remove background. Counted per client id, as sliding
 * windows, which is what the emulator enforces with `--rate-limits`.
 *
 * @see /work/shared/reference/photoshop-api-current.md §1.4 (and §7 of the seed reference)
 */
export const ADOBE_RATE_RULES: readonly RateRule[] = Object.freeze([
  { name: "post-3s", method: "POST", limit: 16, windowMs: 3_000 },
  { name: "post-1m", method: "POST", limit: 320, windowMs: 60_000 },
  { name: "get-3s", method: "GET", limit: 310, windowMs: 3_000 },
  { name: "sensei-1m", method: "POST", route: "/sensei/*", limit: 60, windowMs: 60_000 },
  { name: "masking-1m", method: "POST", route: "/v1/*", limit: 60, windowMs: 60_000 },
  { name: "remove-background-3s", method: "POST", route: "/v2/remove-background", limit: 3, windowMs: 3_000 },
]);

/** Paths the limiter counts: the API's own, never IMS or storage. */
const API_PATH = /^\/(sensei|pie|v1|v2)\//;

/** A compiled rule: its test and its numbers. */
export interface CompiledRule {
  readonly rule: RateRule;
  matches(method: string, path: string): boolean;
}

/**
 * Checks and compiles rules once.
 *
 * @throws TypeError naming the rule when a number or name is invalid.
 */
export function compileRules(rules: readonly RateRule[]): CompiledRule[] {
  return rules.map((rule) => {
    if (!/^[A-Za-z0-9-]+$/.test(rule.name)) {
      throw new TypeError(
        `[@psapi/batch] rate rule name ${JSON.stringify(rule.name)} must be letters, digits or -`,
      );
    }
    if (!Number.isInteger(rule.limit) || rule.limit < 1) {
      throw new TypeError(`[@psapi/batch] rate rule ${rule.name}: limit must be a positive integer`);
    }
    if (!Number.isInteger(rule.windowMs) || rule.windowMs < 1) {
      throw new TypeError(`[@psapi/batch] rate rule ${rule.name}: windowMs must be a positive integer`);
    }
    const route =
      rule.route === undefined
        ? undefined
        : new RegExp(`^${rule.route.split("*").map(escapeRegExp).join(".*")}$`);
    return {
      rule,
      matches: (method, path) =>
        API_PATH.test(path) &&
        (rule.method === undefined || rule.method === method.toUpperCase()) &&
        (route === undefined || route.test(path)),
    };
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
