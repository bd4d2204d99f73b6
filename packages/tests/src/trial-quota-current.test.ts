// The trial quota on the current contract: every submission counts, as on the retired one. With a
// quota of one call, each operation's first submission is accepted and its second answers 402 in
// the gateway's shape (checked against the spec by the environment), and a refused call gives
// nothing back.
import { describe, expect, it } from "vitest";
import { callCurrent, currentSubmissions } from "./harness/current.js";
import { withEnvironment } from "./harness/environment.js";
import { subjectPng } from "./harness/images.js";

describe("the trial quota on the current contract", () => {
  it("answers 402 TrialLimitExceededError on every operation once the quota is used up", async () => {
    const paths = currentSubmissions("").map(([path]) => path);
    for (const path of paths) {
      await withEnvironment(
        { emulator: { trialQuota: 1, jobs: { pendingMs: 0, runningMs: 0 } } },
        async (env) => {
          const url = await env.control.putObject("quota.png", await subjectPng(64, 48), "image/png");
          const [, valid] = currentSubmissions(url).find(([p]) => p === path) ?? [path, {}];
          const first = await callCurrent(env, "POST", path, valid);
          expect([path, first.status]).toEqual([path, 202]);
          const second = await callCurrent(env, "POST", path, valid);
          expect([path, second.status, second.json.type]).toEqual([path, 402, "TrialLimitExceededError"]);
          expect(await env.control.jobs()).toHaveLength(1);
        },
      );
    }
  });
});
