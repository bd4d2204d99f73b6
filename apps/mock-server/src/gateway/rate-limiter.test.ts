import { describe, expect, it } from "vitest";
import { advance, authHeaders, postJson, testEmulator } from "../testing/helpers.js";

const maskBody = {
  input: { href: "files/a.png", storage: "adobe" },
  output: { href: "files/b.png", storage: "adobe" },
};

describe("rate limits", () => {
  it("allows 16 POSTs per 3 s, then answers 429 with a Retry-After that frees a slot", async () => {
    const { app } = testEmulator({ rateLimits: true });
    const headers = await authHeaders(app);
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      statuses.push(
        (
          await app.request(
            "/pie/psdService/documentManifest",
            postJson({ inputs: [maskBody.input] }, headers),
          )
        ).status,
      );
      await advance(app, 100);
    }
    expect(statuses.every((s) => s === 202)).toBe(true);
    const limited = await app.request(
      "/pie/psdService/documentManifest",
      postJson({ inputs: [maskBody.input] }, headers),
    );
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ error_code: "429001", message: "Too many requests" });
    expect(limited.headers.get("x-access-rate-limit-level")).toBe("org");
    // The first POST was at t=0 and it is now t=1600: its slot frees at t=3000, 1.4 s away.
    expect(limited.headers.get("retry-after")).toBe("2");
    await advance(app, 1399);
    expect(
      (await app.request("/pie/psdService/documentManifest", postJson({ inputs: [maskBody.input] }, headers)))
        .status,
    ).toBe(429);
    await advance(app, 1);
    expect(
      (await app.request("/pie/psdService/documentManifest", postJson({ inputs: [maskBody.input] }, headers)))
        .status,
    ).toBe(202);
  });

  it("limits masking to 60 per minute with Retry-After in whole seconds", async () => {
    const { app } = testEmulator({
      rateLimits: [{ name: "masking-1m", method: "POST", route: "/sensei/*", limit: 3, windowMs: 60_000 }],
    });
    const headers = await authHeaders(app);
    for (let i = 0; i < 3; i++)
      expect((await app.request("/sensei/mask", postJson(maskBody, headers))).status).toBe(202);
    await advance(app, 500);
    const res = await app.request("/sensei/cutout", postJson(maskBody, headers));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(200);
  });

  it("counts GETs separately from POSTs", async () => {
    const { app } = testEmulator({ rateLimits: [{ name: "get", method: "GET", limit: 2, windowMs: 3000 }] });
    const headers = await authHeaders(app);
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(200);
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(200);
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(429);
    expect((await app.request("/sensei/mask", postJson(maskBody, headers))).status).toBe(202);
  });

  it("is off by default", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    for (let i = 0; i < 400; i++) {
      const res = await app.request("/pie/psdService/hello", { headers });
      if (res.status !== 200) throw new Error(`call ${i} answered ${res.status}`);
    }
  });
});

describe("trial quota", () => {
  it("answers 402 TrialLimitExceededError after the quota of successful submissions", async () => {
    const { app } = testEmulator({ trialQuota: 2 });
    const headers = await authHeaders(app);
    expect((await app.request("/sensei/mask", postJson({ bad: true }, headers))).status).toBe(400);
    expect((await app.request("/sensei/mask", postJson(maskBody, headers))).status).toBe(202);
    expect((await app.request("/sensei/cutout", postJson(maskBody, headers))).status).toBe(202);
    const res = await app.request(
      "/pie/psdService/documentManifest",
      postJson({ inputs: [maskBody.input] }, headers),
    );
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({
      type: "TrialLimitExceededError",
      code: 402,
      title: "Trial Limit Exceeded Error",
    });
    expect((await app.request("/pie/psdService/hello", { headers })).status).toBe(200);
  });
});

describe("consumption headers on 202", () => {
  const DAY = 86_400_000;
  const start = Date.UTC(2026, 10, 23, 18, 0, 0);

  it("says quota_available and when credits refill (30 days after start) without a quota", async () => {
    const { app } = testEmulator();
    const headers = await authHeaders(app);
    const res = await app.request("/sensei/mask", postJson(maskBody, headers));
    expect(res.status).toBe(202);
    expect(res.headers.get("x-access-consumption-status")).toBe("quota_available");
    expect(res.headers.get("x-access-applied-until-date")).toBe(new Date(start + 30 * DAY).toISOString());
    const hello = await app.request("/pie/psdService/hello", { headers });
    expect(hello.headers.get("x-access-consumption-status")).toBeNull();
  });

  it("warns with quota_warning_hard_cap once a tenth of the quota or less is left", async () => {
    const { app } = testEmulator({ trialQuota: 20 });
    const headers = await authHeaders(app);
    const statuses: (string | null)[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await app.request("/sensei/mask", postJson(maskBody, headers));
      expect(res.status).toBe(202);
      statuses.push(res.headers.get("x-access-consumption-status"));
    }
    expect(statuses.slice(0, 17)).toEqual(Array(17).fill("quota_available"));
    expect(statuses.slice(17)).toEqual(Array(3).fill("quota_warning_hard_cap"));
    const refused = await app.request("/sensei/mask", postJson(maskBody, headers));
    expect(refused.status).toBe(402);
    expect(refused.headers.get("x-access-applied-until-date")).toBe(new Date(start + 30 * DAY).toISOString());
  });

  it("refills the quota when the period ends, and the next date moves on by 30 days", async () => {
    const { app } = testEmulator({ trialQuota: 1 });
    const headers = await authHeaders(app);
    expect((await app.request("/sensei/mask", postJson(maskBody, headers))).status).toBe(202);
    expect((await app.request("/sensei/mask", postJson(maskBody, headers))).status).toBe(402);
    await app.request("/__emulator/clock/advance", postJson({ ms: 30 * DAY }));
    const fresh = await authHeaders(app);
    const res = await app.request("/sensei/mask", postJson(maskBody, fresh));
    expect(res.status).toBe(202);
    expect(res.headers.get("x-access-applied-until-date")).toBe(new Date(start + 60 * DAY).toISOString());
  });
});
