import { createFakeClock } from "@psapi/core/testing";
import { describe, expect, it } from "vitest";
import { EmulatorTime } from "../lib/clock.js";

import { QUOTA_PERIOD_MS, TrialQuota } from "./trial-quota.js";

describe("TrialQuota", () => {
  it("reserves before the call completes, so overlapping submissions cannot overshoot", () => {
    const quota = new TrialQuota(2, new EmulatorTime(createFakeClock({ start: 0 })));
    expect([quota.reserve("a").ok, quota.reserve("a").ok, quota.reserve("a").ok]).toEqual([
      true,
      true,
      false,
    ]);
    quota.release("a");
    expect(quota.reserve("a").ok).toBe(true);
    expect(quota.reserve("b").ok).toBe(true);
  });

  it("refills every period and reports the end of the current one", async () => {
    const clock = createFakeClock({ start: 1000 });
    const quota = new TrialQuota(1, new EmulatorTime(clock));
    expect(quota.reserve("a")).toEqual({
      ok: true,
      status: "quota_warning_hard_cap",
      refillsAt: 1000 + QUOTA_PERIOD_MS,
    });
    await clock.advance(2 * QUOTA_PERIOD_MS + 5);
    expect(quota.reserve("a")).toEqual({
      ok: true,
      status: "quota_warning_hard_cap",
      refillsAt: 1000 + 3 * QUOTA_PERIOD_MS,
    });
  });
});
