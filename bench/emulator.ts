// 1. Emulator throughput and latency, with real auth, journal on, as users run it; against the
// machine's limit (a bare node:http server answering the same bytes) and Stoplight Prism mocking our
// own openapi/photoshop.yaml. Servers on one core, autocannon on the other.
import { createRequire } from "node:module";
import { join } from "node:path";
import { freePort } from "@psapi/core/testing";
import type { Fixture } from "./lib/bare-server.js";
import type { BenchContext } from "./lib/context.js";
import { apiHeaders, getToken, presign, putObject, submitMask, waitForJob } from "./lib/emulator-api.js";
import { startEmulator } from "./lib/emulator-process.js";
import { makeJpeg } from "./lib/images.js";
import { type LoadRun, runLoad } from "./lib/load.js";
import { type ServerProcess, startServer } from "./lib/proc.js";
import type { BenchOutcome, Figure } from "./lib/report.js";
import { startBareServer } from "./lib/start-bare-server.js";
import { median, ratio, round } from "./lib/stats.js";

const require = createRequire(import.meta.url);
const benchDir = new URL(".", import.meta.url).pathname;
const specPath = join(benchDir, "..", "openapi", "photoshop.yaml");
const CONNECTIONS = 50;
// Per-connection and hop-by-hop headers differ per response by nature; everything else is replayed.
const VOLATILE = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length"]);

type Target = "bare" | "emulator" | "prism";
/** One autocannon run plus the server's CPU time per answered request during it. */
type Measured = LoadRun & { readonly cpuUsPerRequest: number };
const TARGETS: readonly Target[] = ["bare", "emulator", "prism"];

async function record(origin: string, path: string, headers: Record<string, string>): Promise<Fixture> {
  const response = await fetch(`${origin}${path}`, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  if (!response.ok) throw new Error(`GET ${path} on the emulator: HTTP ${response.status} ${body}`);
  const kept = [...response.headers].filter(([name]) => !VOLATILE.has(name));
  return { method: "GET", path, status: response.status, headers: kept, body: body.toString("base64") };
}

async function probe(server: ServerProcess, path: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(`${server.origin}${path}`, { headers });
  const text = await response.text();
  // A target answering 4xx would make its req/s meaningless: stop instead of publishing it.
  if (!response.ok)
    throw new Error(`${server.name} GET ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
}

/** Runs the emulator throughput comparison. */
export async function run(context: BenchContext): Promise<BenchOutcome> {
  const runs = context.quick ? 2 : 5;
  const seconds = context.quick ? 2 : 5;
  const warmup = context.quick ? 1 : 3;
  const servers: ServerProcess[] = [];
  try {
    const emulator = await startEmulator({ name: "emulator" });
    servers.push(emulator);
    const token = await getToken(emulator.origin);
    const headers = apiHeaders(token);

    // The status route needs a real, finished job.
    await putObject(emulator.origin, "bench/status-input.jpg", await makeJpeg(256, 256), "image/jpeg");
    const statusUrl = await submitMask(
      emulator.origin,
      token,
      await presign(emulator.origin, "bench/status-input.jpg", "GET"),
      await presign(emulator.origin, "bench/status-output.png", "PUT"),
    );
    await waitForJob(statusUrl, token, 50);
    const statusPath = new URL(statusUrl).pathname;
    const routes = ["/pie/psdService/hello", statusPath];

    const fixtures = await Promise.all(routes.map((path) => record(emulator.origin, path, headers)));
    const bare = await startBareServer(fixtures);
    servers.push(bare);
    const prismPort = await freePort();
    const prism = await startServer({
      name: "prism",
      command: process.execPath,
      args: [
        require.resolve("@stoplight/prism-cli/dist/index.js"),
        "mock",
        "-h",
        "127.0.0.1",
        "-p",
        String(prismPort),
        specPath,
      ],
      ready: /Prism is listening/,
      port: prismPort,
      timeoutMs: 60_000,
    });
    servers.push(prism);
    const byTarget: Record<Target, ServerProcess> = { bare, emulator, prism };

    const raw: Record<string, Record<Target, Measured[]>> = {};
    for (const path of routes) {
      for (const target of TARGETS) await probe(byTarget[target], path, headers);
      const label = path === statusPath ? "GET /sensei/status/{id}" : `GET ${path}`;
      const runsByTarget: Record<Target, Measured[]> = { bare: [], emulator: [], prism: [] };
      raw[label] = runsByTarget;
      const load = async (target: Target, s: number): Promise<Measured> => {
        const server = byTarget[target];
        const cpuBefore = server.cpuSeconds();
        const result = await runLoad({
          url: `${server.origin}${path}`,
          headers,
          connections: CONNECTIONS,
          seconds: s,
        });
        const cpuUsPerRequest = round(
          ((server.cpuSeconds() - cpuBefore) * 1e6) / Math.max(1, result.requests),
          1,
        );
        return { ...result, cpuUsPerRequest };
      };
      // Warm-up (JIT, connection pools), discarded.
      for (const target of TARGETS) await load(target, warmup);
      // Interleaved so a noisy neighbour on the shared machine hits all three alike.
      for (let i = 0; i < runs; i += 1) {
        for (const target of TARGETS) {
          const result = await load(target, seconds);
          if (result.non2xx > 0 || result.errors > 0) {
            throw new Error(`${target} ${label}: ${result.non2xx} non-2xx, ${result.errors} errors in a run`);
          }
          runsByTarget[target].push(result);
          context.log(
            `${label} ${target} run ${i + 1}/${runs}: ${Math.round(result.rps)} req/s, p99 ${result.p99Ms} ms, ${result.cpuUsPerRequest} µs CPU/request`,
          );
        }
      }
    }

    const medians: Record<
      string,
      Record<Target, { rps: number; p50Ms: number; p99Ms: number; cpuUsPerRequest: number }>
    > = {};
    const figures: Figure[] = [];
    const separateMedians: string[] = [];
    for (const [label, byRun] of Object.entries(raw)) {
      const m = (target: Target) => ({
        rps: round(median(byRun[target].map((r) => r.rps)), 0),
        p50Ms: median(byRun[target].map((r) => r.p50Ms)),
        p99Ms: median(byRun[target].map((r) => r.p99Ms)),
        cpuUsPerRequest: median(byRun[target].map((r) => r.cpuUsPerRequest)),
      });
      const row = { bare: m("bare"), emulator: m("emulator"), prism: m("prism") };
      medians[label] = row;
      // Each run measures the three targets back to back, so the ratio within a run cancels the
      // machine's drift between runs (on this shared machine a target's req/s swings 2× from run
      // to run); the published ratio is the median of those per-run ratios.
      const paired = (target: Target, base: Target, key: "rps" | "cpuUsPerRequest") =>
        round(median(byRun[target].map((r, i) => r[key] / (byRun[base][i]?.[key] ?? Number.NaN))), 3);
      const vsBare = paired("emulator", "bare", "rps");
      const vsPrism = paired("emulator", "prism", "rps");
      separateMedians.push(
        `${label}: ${ratio(row.emulator.rps, row.bare.rps)}× bare, ${ratio(row.emulator.rps, row.prism.rps)}× Prism`,
      );
      figures.push(
        {
          label: `${label}: emulator req/s`,
          value: row.emulator.rps,
          unit: "req/s",
          baseline: { label: "bare node:http", value: row.bare.rps },
          ratio: vsBare,
          target: "≥ 0.6× bare",
          pass: vsBare >= 0.6,
        },
        {
          label: `${label}: emulator req/s`,
          value: row.emulator.rps,
          unit: "req/s",
          baseline: { label: "Prism 5.14.2", value: row.prism.rps },
          ratio: vsPrism,
          target: "≥ 5× Prism",
          pass: vsPrism >= 5,
        },
        {
          label: `${label}: emulator p50 latency`,
          value: row.emulator.p50Ms,
          unit: "ms",
          baseline: { label: "bare", value: row.bare.p50Ms },
          ratio: ratio(row.emulator.p50Ms, row.bare.p50Ms),
        },
        {
          label: `${label}: emulator p99 latency`,
          value: row.emulator.p99Ms,
          unit: "ms",
          baseline: { label: "bare", value: row.bare.p99Ms },
          ratio: ratio(row.emulator.p99Ms, row.bare.p99Ms),
        },
        {
          label: `${label}: Prism p50 / p99 latency`,
          value: row.prism.p50Ms,
          unit: `ms (p99 ${row.prism.p99Ms} ms)`,
        },
        {
          label: `${label}: emulator CPU time per request`,
          value: round(row.emulator.cpuUsPerRequest, 0),
          unit: "µs",
          baseline: { label: "bare", value: row.bare.cpuUsPerRequest },
          ratio: paired("emulator", "bare", "cpuUsPerRequest"),
        },
        {
          label: `${label}: Prism CPU time per request`,
          value: round(row.prism.cpuUsPerRequest, 0),
          unit: "µs",
          baseline: { label: "emulator", value: row.emulator.cpuUsPerRequest },
          ratio: paired("prism", "emulator", "cpuUsPerRequest"),
        },
      );
    }
    return {
      title: "Emulator throughput and latency (real auth, journal on)",
      settings: {
        runs,
        secondsPerRun: seconds,
        warmupSecondsPerTarget: warmup,
        ratios: "median over runs of the per-run ratio (targets measured back to back within a run)",
        connections: CONNECTIONS,
        pipelining: 1,
        order: "interleaved: bare, emulator, prism in each run",
        serverCore: 0,
        loadCore: 1,
        emulator: emulator.command,
        prism: `prism mock -h 127.0.0.1 -p <port> openapi/photoshop.yaml`,
        bare: "node:http replaying the emulator's recorded status, headers and body for each route",
        requestHeaders: ["authorization: Bearer <emulator IMS token>", "x-api-key: psapi-demo-client"],
      },
      raw,
      medians,
      figures,
      notes: [
        "req/s counts 2xx answers only; any non-2xx or socket error in a run aborts the bench.",
        `Ratios are the median over runs of each run's ratio (the targets are measured back to back within a run, so the ratio cancels the machine's drift between runs). The ratios of the separate medians, for comparison: ${separateMedians.join("; ")}.`,
        "CPU time per request is the server process's user + system time (all threads, /proc/<pid>/stat) during a run divided by the requests it answered; it moves far less than req/s when other work shares the machine, and bare ÷ emulator CPU time is the throughput ratio a quiet machine would show when the server core is the bottleneck.",
        `The bare server answers the emulator's own bytes: ${fixtures.map((f) => `${f.path} → ${f.status}, ${Buffer.from(f.body, "base64").length} B body, headers ${f.headers.map(([n]) => n).join(", ")}`).join("; ")}.`,
      ],
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
