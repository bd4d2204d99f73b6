// 2. Client overhead: hello() through the full client (auth + retry middleware, openapi-fetch)
// against a raw fetch with the same headers, both against the bare node:http server on the other
// core. Sequential calls, so the figure is per-call time, not throughput.
import { createServerToServerAuth } from "@psapi/auth";
import { createPhotoshopClient, type paths } from "@psapi/client/all";
import createClient from "openapi-fetch";
import type { Fixture } from "./lib/bare-server.js";
import type { BenchContext } from "./lib/context.js";
import { startFakeAdobe } from "./lib/fake-adobe.js";
import type { BenchOutcome } from "./lib/report.js";
import { startBareServer } from "./lib/start-bare-server.js";
import { median, ratio, round } from "./lib/stats.js";

const HELLO = "Welcome to the Photoshop API!";

type Subject = "raw" | "openapiFetch" | "client";
const SUBJECTS: readonly Subject[] = ["raw", "openapiFetch", "client"];

/** One fresh value per subject. */
function bySubject<T>(make: () => T): Record<Subject, T> {
  return { raw: make(), openapiFetch: make(), client: make() };
}

/**
 * One run: `rounds` rounds of one call per subject, the order rotating each round, so that whatever
 * the machine does meanwhile (a GC, a neighbour's burst, a CPU frequency change) falls on all three
 * alike. Returns per subject the wall time and this process's CPU time of each call, in ms and µs.
 */
async function interleaved(
  rounds: number,
  calls: Record<Subject, () => Promise<unknown>>,
): Promise<Record<Subject, { ms: number[]; cpuUs: number[] }>> {
  const times = bySubject(() => ({ ms: [] as number[], cpuUs: [] as number[] }));
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < SUBJECTS.length; k += 1) {
      const name = SUBJECTS[(round + k) % SUBJECTS.length] as Subject;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await calls[name]();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      times[name].ms.push(ms);
      times[name].cpuUs.push(cpu.user + cpu.system);
    }
  }
  return times;
}

/** Runs the client-overhead comparison. */
export async function run(context: BenchContext): Promise<BenchOutcome> {
  const runs = context.quick ? 2 : 5;
  const rounds = context.quick ? 500 : 3000;
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
    // openapi-fetch alone, with the same headers and the global fetch: the floor under the client,
    // which is built on it.
    const plain = createClient<paths>({ baseUrl: bare.origin, headers });
    const viaOpenapiFetch = async () => {
      const { data, response } = await plain.GET("/pie/psdService/hello", { parseAs: "text" });
      if (!response.ok || data !== HELLO) throw new Error(`openapi-fetch answered ${response.status}`);
    };
    const viaClient = async () => {
      const text = await client.hello();
      if (text !== HELLO) throw new Error(`hello() returned ${JSON.stringify(text)}`);
    };
    const calls = { raw: rawFetch, openapiFetch: viaOpenapiFetch, client: viaClient };
    await interleaved(warmup, calls);
    const raw = {
      medianMs: bySubject((): number[] => []),
      meanMs: bySubject((): number[] => []),
      cpuUs: bySubject((): number[] => []),
    };
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    for (let i = 0; i < runs; i += 1) {
      const times = await interleaved(rounds, calls);
      for (const name of SUBJECTS) {
        raw.medianMs[name].push(round(median(times[name].ms), 4));
        raw.meanMs[name].push(round(mean(times[name].ms), 4));
        raw.cpuUs[name].push(round(mean(times[name].cpuUs), 1));
      }
      context.log(
        `run ${i + 1}/${runs}: raw ${raw.medianMs.raw.at(-1)} ms, openapi-fetch ${raw.medianMs.openapiFetch.at(-1)} ms, client ${raw.medianMs.client.at(-1)} ms per call`,
      );
    }
    const rawMs = median(raw.medianMs.raw);
    const floorMs = median(raw.medianMs.openapiFetch);
    const clientMs = median(raw.medianMs.client);
    const over = ratio(clientMs, rawMs);
    const meanRatio = ratio(median(raw.meanMs.client), median(raw.meanMs.raw));
    const rawCpu = median(raw.cpuUs.raw);
    const clientCpu = median(raw.cpuUs.client);
    return {
      title: "Client overhead: hello() vs raw fetch",
      settings: {
        runs,
        roundsPerRun: rounds,
        warmupRounds: warmup,
        sequential: true,
        interleaving:
          "each round makes one call per subject (raw fetch, openapi-fetch alone, the client), the order rotating each round",
        server: "bare node:http on core 0 answering 200 text/plain",
        client:
          "createPhotoshopClient({ auth: createServerToServerAuth({ imsUrl: fake IMS }), baseUrl: bare }), default retry and timeout; token fetched once before timing",
        baseline: "fetch(url, { headers: { Authorization, x-api-key } }), status check, response.text()",
        floor:
          "openapi-fetch createClient({ baseUrl, headers }).GET(path, { parseAs: 'text' }) with the global fetch",
        figure: "median per-call time within each run, then the median over runs",
        cpu: "this process's user + system CPU time (process.cpuUsage) around each call, mean per run, median over runs",
      },
      raw,
      medians: {
        rawFetchMs: rawMs,
        openapiFetchMs: floorMs,
        clientMs,
        meanRatio,
        rawFetchCpuUs: rawCpu,
        clientCpuUs: clientCpu,
      },
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
          label: "openapi-fetch alone, per call (the floor under the client)",
          value: round(floorMs, 4),
          unit: "ms",
          baseline: { label: "raw fetch", value: round(rawMs, 4) },
          ratio: ratio(floorMs, rawMs),
        },
        {
          label: "hello() per call vs openapi-fetch alone (what psapi adds)",
          value: round(clientMs, 4),
          unit: "ms",
          baseline: { label: "openapi-fetch", value: round(floorMs, 4) },
          ratio: ratio(clientMs, floorMs),
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
