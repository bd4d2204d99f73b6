import type { EmulatorTime } from "../lib/clock.js";

/** The values of `X-Access-Consumption-Status` (the emulator has no daily credits, so never the third). */
export type ConsumptionStatus =
  | "quota_available"
  | "quota_warning_hard_cap"
  | "quota_exhausted_using_daily_credits";

/** How long one quota period lasts before every client's credits refill. */
export const QUOTA_PERIOD_MS = 30 * 86_400_000;

/** The outcome of {@link TrialQuota.reserve}. */
export type Reservation =
  | { ok: true; status: ConsumptionStatus; refillsAt: number }
  | { ok: false; refillsAt: number };

/**
 * The trial quota: each client may make `quota` successful job submissions per 30-day period,
 * counted from the emulator's start (or last reset) on emulator time; then credits refill.
 * A submission reserves its call before the handler runs (so concurrent submissions can never
 * overshoot) and gives it back when the answer is not a 202 (only successful calls are billable).
 * `X-Access-Consumption-Status` is `quota_warning_hard_cap` once a tenth of the quota (rounded up)
 * or less is left after the call, else `quota_available`; without a quota it is always available.
 *
 * @example
 * const quota = new TrialQuota(10, time);
 * const r = quota.reserve("client"); // { ok: true, status: "quota_available", refillsAt }
 */
export class TrialQuota {
  readonly #quota: number | undefined;
  readonly #time: EmulatorTime;
  readonly #used = new Map<string, number>();
  #periodStart: number;

  /**
   * @param quota - calls per client and period; `undefined` for unlimited.
   * @param time - emulator time.
   */
  constructor(quota: number | undefined, time: EmulatorTime) {
    this.#quota = quota;
    this.#time = time;
    this.#periodStart = time.now();
  }

  /** Takes one call of `clientId`'s quota, if any is left. */
  reserve(clientId: string): Reservation {
    const refillsAt = this.#roll();
    if (this.#quota === undefined) return { ok: true, status: "quota_available", refillsAt };
    const used = this.#used.get(clientId) ?? 0;
    if (used >= this.#quota) return { ok: false, refillsAt };
    this.#used.set(clientId, used + 1);
    const left = this.#quota - used - 1;
    const status = left <= Math.ceil(this.#quota / 10) ? "quota_warning_hard_cap" : "quota_available";
    return { ok: true, status, refillsAt };
  }

  /** Gives back a reserved call whose submission did not succeed. */
  release(clientId: string): void {
    const used = this.#used.get(clientId);
    if (used !== undefined && used > 0) this.#used.set(clientId, used - 1);
  }

  /** The quota, when the period ends, and each client's use (`undefined` without a quota). */
  snapshot():
    | { limit: number; refillsAt: string; clients: { clientId: string; used: number }[] }
    | undefined {
    if (this.#quota === undefined) return undefined;
    const refillsAt = new Date(this.#roll()).toISOString();
    const clients = [...this.#used].map(([clientId, used]) => ({ clientId, used }));
    return { limit: this.#quota, refillsAt, clients };
  }

  /** A fresh period starting now (part of `POST /__emulator/reset`). */
  reset(): void {
    this.#used.clear();
    this.#periodStart = this.#time.now();
  }

  /** Moves on to the period containing now, refilling credits; returns when it ends. */
  #roll(): number {
    const now = this.#time.now();
    if (now >= this.#periodStart + QUOTA_PERIOD_MS) {
      this.#periodStart += Math.floor((now - this.#periodStart) / QUOTA_PERIOD_MS) * QUOTA_PERIOD_MS;
      this.#used.clear();
    }
    return this.#periodStart + QUOTA_PERIOD_MS;
  }
}
