// 3. Token single flight: 1000 concurrent calls on a cold client must cost one IMS request.
// A counting fake IMS on 127.0.0.1 answers after a delay (as a real IMS does), so all calls overlap.

import { ServerToServerTokenProvider } from "@adobe/firefly-services-common-apis";
import { PhotoshopClient, StorageType } from "@adobe/photoshop-apis";
import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient } from "@psapi/client/all";
import type { BenchContext } from "./lib/context.js";
import { startFakeAdobe } from "./lib/fake-adobe.js";
import { withLoopbackFetch } from "./lib/loopback-fetch.js";
import type { BenchOutcome, Figure } from "./lib/report.js";
import { median } from "./lib/stats.js";

const CONCURRENCY = 1000;
const IMS_DELAY_MS = 100;
const TRIAL_TIMEOUT_MS = 30_000;
const clientId = "bench-client";
const clientSecret = "bench-secret";

/**
 * The SDK's job object starts polling in its constructor and never handles that promise's
 * rejection, so one failed poll is an unhandled rejection that would end the bench process. Count
 * them as failures of the trial instead.
 */
async function countingUnhandled<T>(body: () => Promise<T>): Promise<{ value: T; unhandled: number }> {
  let unhandled = 0;
  const onUnhandled = () => {
    unhandled += 1;
  };
  process.on("unhandledRejection", onUnhandled);
  try {
    return { value: await body(), unhandled };
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
}

interface Trial {
  readonly imsRequests: number;
  readonly apiRequests: number;
  /** Calls that rejected or did not settle within TRIAL_TIMEOUT_MS. */
  readonly failures: number;
  /** Promise rejections nobody handled (the SDK's background polling). */
  readonly unhandledRejections: number;
  readonly ms: number;
}

/** Runs the single-flight comparison. */
export async function run(context: BenchContext): Promise<BenchOutcome> {
  const runs = context.quick ? 2 : 5;
  const fake = await startFakeAdobe({ imsDelayMs: IMS_DELAY_MS });
  const sdkRoutes = { "https://ims-na1.adobelogin.com": fake.origin, "https://image.adobe.io": fake.origin };
  try {
    // A call that never settles (the SDK's job promise, after an unhandled poll failure) counts as a
    // failure after TRIAL_TIMEOUT_MS instead of hanging the bench.
    const trial = async (calls: () => Promise<unknown>[]): Promise<Trial> => {
      fake.reset();
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(resolve, TRIAL_TIMEOUT_MS, "timeout");
      });
      const { value: outcomes, unhandled } = await countingUnhandled(() =>
        Promise.all(
          calls().map((call) =>
            Promise.race([
              call.then(
                () => "ok" as const,
                () => "rejected" as const,
              ),
              timeout,
            ]),
          ),
        ),
      );
      clearTimeout(timer);
      return {
        imsRequests: fake.counts.ims,
        apiRequests: fake.counts.api,
        failures: outcomes.filter((outcome) => outcome !== "ok").length,
        unhandledRejections: unhandled,
        ms: Math.round(performance.now() - started),
      };
    };
    const times = <T>(make: () => Promise<T>) => Array.from({ length: CONCURRENCY }, make);
    const raw: Record<string, Trial[]> = {
      oursGetToken: [],
      oursHello: [],
      sdkGetToken: [],
      sdkCreateMask: [],
    };
    for (let i = 0; i < runs; i += 1) {
      // A fresh (cold) auth and client per trial: nothing cached.
      const auth = () => createServerToServerAuth({ clientId, clientSecret, imsUrl: fake.origin });
      const ourAuth = auth();
      raw.oursGetToken?.push(await trial(() => times(() => ourAuth.getToken())));
      const client = createPhotoshopClient({ auth: auth(), baseUrl: fake.origin });
      raw.oursHello?.push(await trial(() => times(() => client.hello())));
      raw.sdkGetToken?.push(
        await withLoopbackFetch(sdkRoutes, () => {
          const provider = new ServerToServerTokenProvider(
            { clientId, clientSecret, scopes: "firefly_api,ff_apis" },
            { autoRefresh: true },
          );
          return trial(() => times(() => provider.getToken()));
        }),
      );
      raw.sdkCreateMask?.push(
        await withLoopbackFetch(sdkRoutes, () => {
          const sdk = new PhotoshopClient({ clientId, clientSecret });
          const body = {
            input: { href: "https://example.invalid/in.jpg", storage: StorageType.EXTERNAL },
            output: { href: "https://example.invalid/out.png", storage: StorageType.EXTERNAL },
          };
          // The SDK's job object polls status every 2 s until done; the fake answers `succeeded`.
          return trial(() => times(() => sdk.createMask(body)));
        }),
      );
    }
    const med = (key: string, field: keyof Trial) => median((raw[key] ?? []).map((t) => t[field]));
    const allOne = (key: string) =>
      (raw[key] ?? []).every((t) => t.imsRequests === 1 && t.failures === 0 && t.unhandledRejections === 0);
    const figure = (label: string, ours: string, sdk: string, sdkLabel: string): Figure => ({
      label,
      value: med(ours, "imsRequests"),
      unit: "IMS requests",
      baseline: { label: sdkLabel, value: med(sdk, "imsRequests") },
      target: "= 1 in every run, no failures",
      pass: allOne(ours),
    });
    return {
      title: `Token single flight: ${CONCURRENCY} concurrent calls on a cold client`,
      settings: {
        concurrency: CONCURRENCY,
        runs,
        imsDelayMs: IMS_DELAY_MS,
        fake: "in-process node:http on 127.0.0.1 counting POST /ims/token/v3 and API calls",
        sdkInterception:
          "globalThis.fetch wrapped for the SDK trials only: https://ims-na1.adobelogin.com and https://image.adobe.io rewritten to the fake's 127.0.0.1 origin; any other host refused",
      },
      raw,
      medians: Object.fromEntries(
        Object.keys(raw).map((key) => [key, { imsRequests: med(key, "imsRequests"), ms: med(key, "ms") }]),
      ),
      figures: [
        figure(
          `${CONCURRENCY}× auth.getToken()`,
          "oursGetToken",
          "sdkGetToken",
          "SDK ServerToServerTokenProvider.getToken()",
        ),
        figure(
          `${CONCURRENCY}× client.hello()`,
          "oursHello",
          "sdkCreateMask",
          "SDK PhotoshopClient.createMask()",
        ),
      ],
      notes: [
        "The SDK's PhotoshopClient has no hello(); createMask() is its cheapest public call (it polls job status after 2 s, which the fake answers with succeeded).",
        `Failed or unsettled calls per run (median; max): ${Object.keys(raw)
          .map(
            (key) =>
              `${key} ${med(key, "failures")}; ${Math.max(...(raw[key] ?? []).map((t) => t.failures))}`,
          )
          .join(", ")}. Unhandled rejections in all runs: ${Object.values(raw)
          .flat()
          .reduce((sum, t) => sum + t.unhandledRejections, 0)}.`,
        `Median wall time for the ${CONCURRENCY} calls (ms): ${Object.keys(raw)
          .map((key) => `${key} ${med(key, "ms")}`)
          .join(", ")}.`,
      ],
    };
  } finally {
    await fake.close();
  }
}
