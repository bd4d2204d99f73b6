// 2. Client overhead: hello() through the full client (auth + retry middleware, openapi-fetch)
// against a raw fetch with the same headers, both against the bare node:http server on the other
// core. Sequential calls, so the figure is per-call time, not throughput.
import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient } from "@psapi/client";
import type { Fixture } from "./lib/bare-server.js";
import type { BenchContext } from "./lib/context.js";
import { startFakeAdobe } from "./lib/fake-adobe.js";
import type { BenchOutcome } from "./lib/report.js";
import { startBareServer } from "./lib/start-bare-server.js";
import { median, ratio, round } from "./lib/stats.js";

const HELLO = "Welcome to the Photoshop API!";

async function timeCalls(calls: number, call: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return times;
}

/** Runs the client-overhead comparison. */
export async function run(context: BenchContext): Promise<BenchOutcome> {
  const runs = context.quick ? 2 : 5;
  const calls = context.quick ? 500 : 3000;
  const warmup = context.quick ? 200 : 1000;
  const fixture: Fixture = {
    method: "GET",
    path: "/pie/psdService/hello",
    status: 200,
    headers: [["content-type", "text/plain; charset=UTF-8"]],
    body: Buffer.from(HELLO).toString("base64"),
  };
  const bare = await startBareServer([fixture]);
  const ims = await startFakeAdobe({ imsDelayMs: 0 });
  try {
    const clientId = "bench-client";
    const auth = createServerToServerAuth({ clientId, clientSecret: "bench-secret", imsUrl: ims.origin });
    const client = createPhotoshopClient({ auth, baseUrl: bare.origin });
    const token = (await auth.getToken()).accessToken;
    const url = `${bare.origin}${fixture.path}`;
    const headers = { Authorization: `Bearer ${token}`, "x-api-key": clientId };
    const rawFetch = async () => {
      const response = await fetch(url, { headers });
      // The client checks the status and reads the text; so does the baseline.
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.text();
    };
    const viaClient = async () => {
      const text = await client.hello();
      if (text !== HELLO) throw new Error(`hello() returned ${JSON.stringify(text)}`);
    };
    await timeCalls(warmup, rawFetch);
    await timeCalls(warmup, viaClient);
    const raw = {
      rawFetchMedianMs: [] as number[],
      clientMedianMs: [] as number[],
      rawFetchMeanMs: [] as number[],
      clientMeanMs: [] as number[],
      rawFetchCpuUs: [] as number[],
      clientCpuUs: [] as number[],
    };
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    for (let i = 0; i < runs; i += 1) {
      // Alternate which goes first so neither always gets the warmer machine.
      const order = i % 2 === 0 ? (["raw", "client"] as const) : (["client", "raw"] as const);
      for (const which of order) {
        const cpuBefore = process.cpuUsage();
        const times = await timeCalls(calls, which === "raw" ? rawFetch : viaClient);
        const cpu = process.cpuUsage(cpuBefore);
        (which === "raw" ? raw.rawFetchMedianMs : raw.clientMedianMs).push(round(median(times), 4));
        (which === "raw" ? raw.rawFetchMeanMs : raw.clientMeanMs).push(round(mean(times), 4));
        (which === "raw" ? raw.rawFetchCpuUs : raw.clientCpuUs).push(
          round((cpu.user + cpu.system) / calls, 1),
        );
      }
      context.log(
        `run ${i + 1}/${runs}: raw ${raw.rawFetchMedianMs.at(-1)} ms, client ${raw.clientMedianMs.at(-1)} ms per call`,
      );
    }
    const rawMs = median(raw.rawFetchMedianMs);
    const clientMs = median(raw.clientMedianMs);
    const over = ratio(clientMs, rawMs);
    const meanRatio = ratio(median(raw.clientMeanMs), median(raw.rawFetchMeanMs));
    const rawCpu = median(raw.rawFetchCpuUs);
    const clientCpu = median(raw.clientCpuUs);
    return {
      title: "Client overhead: hello() vs raw fetch",
      settings: {
        runs,
        callsPerRun: calls,
        warmupCalls: warmup,
        sequential: true,
        server: "bare node:http on core 0 answering 200 text/plain",
        client:
          "createPhotoshopClient({ auth: createServerToServerAuth({ imsUrl: fake IMS }), baseUrl: bare }), default retry; token fetched once before timing",
        baseline: "fetch(url, { headers: { Authorization, x-api-key } }), status check, response.text()",
        figure: "median per-call time within each run, then the median over runs",
        cpu: "this process's user + system CPU time (process.cpuUsage) over a run ÷ calls: the client-side cost alone, steadier than wall time on a shared machine",
      },
      raw,
      medians: { rawFetchMs: rawMs, clientMs, meanRatio, rawFetchCpuUs: rawCpu, clientCpuUs: clientCpu },
      figures: [
        {
          label: "hello() per call (sequential)",
          value: round(clientMs, 4),
          unit: "ms",
          baseline: { label: "raw fetch", value: round(rawMs, 4) },
          ratio: over,
          target: "≤ 1.10× raw fetch",
          pass: over <= 1.1,
        },
        {
          label: "hello() client-side CPU time per call",
          value: round(clientCpu, 0),
          unit: "µs",
          baseline: { label: "raw fetch", value: round(rawCpu, 0) },
          ratio: ratio(clientCpu, rawCpu),
        },
      ],
      notes: [
        `Mean per-call time ratio (GC pauses included): ${meanRatio}×.`,
        `IMS requests during the bench: ${ims.counts.ims}.`,
      ],
    };
  } finally {
    await ims.close();
    await bare.stop();
  }
}
