import { type RateRule, rateRuleMatcher } from "@psapi/core";
import { BatchError } from "./errors.js";

export { ADOBE_RATE_RULES, type RateRule } from "@psapi/core";

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
      throw new BatchError(
        "invalid-rate-rule",
        `rate rule name ${JSON.stringify(rule.name)} must be letters, digits or -`,
        { input: rule.name },
      );
    }
    if (!Number.isInteger(rule.limit) || rule.limit < 1) {
      throw new BatchError("invalid-rate-rule", `rate rule ${rule.name}: limit must be a positive integer`, {
        input: rule.name,
      });
    }
    if (!Number.isInteger(rule.windowMs) || rule.windowMs < 1) {
      throw new BatchError(
        "invalid-rate-rule",
        `rate rule ${rule.name}: windowMs must be a positive integer`,
        { input: rule.name },
      );
    }
    const counts = rateRuleMatcher(rule);
    return { rule, matches: (method, path) => API_PATH.test(path) && counts(method, path) };
  });
}
