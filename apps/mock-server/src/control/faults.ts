import type { components } from "@psapi/openapi-types/emulator";
import { compileRoute, matchesRoute, type RoutePattern } from "../lib/route-pattern.js";
import type { FaultRuleInput, FaultStatus } from "../options.js";
import { mulberry32 } from "./prng.js";

/** What to do to one request. */
export interface FaultAction {
  status?: FaultStatus;
  retryAfter?: number;
  reset?: boolean;
  latencyMs?: number;
}

/**
 * A fault rule as the control API lists it (`FaultRule` of `openapi/emulator.yaml`): the input's
 * fields plus its `id`, its `route` with the default filled in, and the `hits` so far.
 */
export type FaultRule = FaultRuleInput & Pick<components["schemas"]["FaultRule"], "id" | "route" | "hits">;

const FAULT_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** Most rules kept: every request walks the table, and the control API must not grow it without bound. */
export const MAX_FAULT_RULES = 1000;

function checkRule(input: FaultRuleInput): void {
  const problem = (message: string): never => {
    throw new TypeError(`[@psapi/mock-server] fault rule: ${message}`);
  };
  if (input.status !== undefined && !FAULT_STATUSES.has(input.status)) {
    problem("status must be 429, 500, 502, 503 or 504");
  }
  if (input.probability !== undefined && !(input.probability >= 0 && input.probability <= 1)) {
    problem("probability must be between 0 and 1");
  }
  for (const [name, min] of [
    ["times", 1],
    ["latencyMs", 0],
    ["retryAfter", 0],
  ] as const) {
    const value = input[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
      problem(`${name} must be an integer >= ${min}`);
    }
  }
  if (input.status === undefined && !input.reset && input.latencyMs === undefined) {
    problem("give a status, reset or latencyMs");
  }
}

/**
 * The active fault rules. The first rule that matches a request (route, remaining count, and a draw
 * from the seeded PRNG for probabilistic rules) decides its fault.
 */
export class FaultTable {
  readonly #seed: number;
  readonly #initial: readonly FaultRuleInput[];
  #random: () => number;
  #rules: { rule: FaultRule; pattern: RoutePattern }[] = [];
  #nextId = 1;

  /**
   * @param seed - PRNG seed; reset restarts the same sequence.
   * @param initial - rules active at start and after every reset.
   * @throws TypeError for an invalid rule.
   */
  constructor(seed: number, initial: readonly FaultRuleInput[]) {
    this.#seed = seed;
    this.#initial = initial;
    this.#random = mulberry32(seed);
    for (const rule of initial) this.add(rule);
  }

  /**
   * Adds a rule after the existing ones.
   *
   * @throws TypeError for an invalid rule, or when {@link MAX_FAULT_RULES} are already set.
   */
  add(input: FaultRuleInput): FaultRule {
    checkRule(input);
    if (this.#rules.length >= MAX_FAULT_RULES) {
      throw new TypeError(
        `[@psapi/mock-server] fault rule: at most ${MAX_FAULT_RULES} rules; delete some first`,
      );
    }
    const route = input.route ?? "*";
    const pattern = compileRoute(route);
    const rule: FaultRule = { ...input, id: `fault-${this.#nextId++}`, route, hits: 0 };
    this.#rules.push({ rule, pattern });
    return rule;
  }

  /** The rules, in match order. */
  list(): FaultRule[] {
    return this.#rules.map(({ rule }) => ({ ...rule }));
  }

  /** Removes one rule; whether it existed. */
  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter(({ rule }) => rule.id !== id);
    return this.#rules.length !== before;
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules = [];
  }

  /** Back to the start-up rules and the start of the seeded sequence. */
  reset(): void {
    this.#rules = [];
    this.#nextId = 1;
    this.#random = mulberry32(this.#seed);
    for (const rule of this.#initial) this.add(rule);
  }

  /** Whether there is no rule at all (then no request can match). */
  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /** The fault for this request, using up one of a counted rule's calls. */
  match(method: string, path: string): FaultAction | undefined {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (!matchesRoute(entry.pattern, method, path)) continue;
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      rule.hits += 1;
      if (rule.times !== undefined) rule.times -= 1;
      const { status, retryAfter, reset, latencyMs } = rule;
      return { status, retryAfter, reset, latencyMs };
    }
    return undefined;
  }
}

/**
 * Parses the `x-emulator-fault` request header: comma-separated parts, each `<status>[; retry-after=<s>]`,
 * `reset`, or `latency=<ms>`.
 *
 * @example
 * parseFaultHeader("503; retry-after=2") // { status: 503, retryAfter: 2 }
 * @returns the action, or a message saying what is wrong.
 */
export function parseFaultHeader(header: string): FaultAction | string {
  const action: FaultAction = {};
  for (const part of header.split(",")) {
    const [head = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (head === "reset") {
      action.reset = true;
    } else if (/^latency=\d{1,6}$/.test(head)) {
      action.latencyMs = Number(head.slice("latency=".length));
    } else if (/^\d{3}$/.test(head) && FAULT_STATUSES.has(Number(head))) {
      action.status = Number(head) as FaultStatus;
      for (const param of params) {
        const match = /^retry-after=(\d{1,6})$/.exec(param);
        if (!match) return `unknown parameter ${JSON.stringify(param)}`;
        action.retryAfter = Number(match[1]);
      }
      continue;
    } else {
      return `unknown fault ${JSON.stringify(head)}: use 429|500|502|503|504[; retry-after=N], reset or latency=MS`;
    }
    if (params.length > 0) return `${head} takes no parameters`;
  }
  return action;
}
