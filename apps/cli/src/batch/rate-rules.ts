import type { RateRule } from "@psapi/batch";
import { usageError } from "../cli-error.js";

/**
 * `--rate-limits`: `adobe` (Adobe's documented windows), `off`, or a JSON array of rules.
 *
 * @returns The rules, or `undefined` for `off`.
 * @throws {CliError} (usage) For anything else.
 */
export async function parseRateLimits(text: string): Promise<readonly RateRule[] | undefined> {
  if (text === "off") return undefined;
  const { ADOBE_RATE_RULES } = await import("@psapi/batch");
  if (text === "adobe") return ADOBE_RATE_RULES;
  let rules: unknown;
  try {
    rules = JSON.parse(text);
  } catch {
    rules = undefined;
  }
  const valid =
    Array.isArray(rules) &&
    rules.every(
      (rule: unknown) =>
        typeof rule === "object" &&
        rule !== null &&
        typeof (rule as RateRule).name === "string" &&
        typeof (rule as RateRule).limit === "number" &&
        typeof (rule as RateRule).windowMs === "number",
    );
  if (!valid) {
    throw usageError(
      "--rate-limits must be adobe, off, or a JSON array of rules",
      `e.g. --rate-limits '[{"name":"post","method":"POST","limit":16,"windowMs":3000}]'`,
    );
  }
  return rules as RateRule[];
}
