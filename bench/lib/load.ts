// One autocannon run as its own process on the client core. A separate process (not autocannon's
// API inside this one) keeps the load generator's event loop free of everything else the bench does.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { CLIENT_CORE, onCore } from "./proc.js";

const autocannonBin = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

/** What one load run measured. */
export interface LoadRun {
  /** Completed 2xx requests per second over the whole run. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Non-2xx answers, errors and timeouts: any of these makes the run invalid. */
  readonly non2xx: number;
  readonly errors: number;
}

/** Load parameters shared by every target in one comparison. */
export interface LoadOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly seconds: number;
}

interface AutocannonJson {
  readonly duration: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly "2xx": number;
  readonly latency: { readonly p50: number; readonly p99: number };
}

/**
 * Runs autocannon once against `options.url`.
 * @throws {Error} when autocannon fails or prints no JSON.
 */
export function runLoad(options: LoadOptions): Promise<LoadRun> {
  const headerArgs = Object.entries(options.headers).flatMap(([name, value]) => ["-H", `${name}=${value}`]);
  const [command, args] = onCore(CLIENT_CORE, process.execPath, [
    autocannonBin,
    "--json",
    "--no-progress",
    "-c",
    String(options.connections),
    "-d",
    String(options.seconds),
    ...headerArgs,
    options.url,
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) {
        reject(new Error(`autocannon exited with ${code}: ${stderr.slice(-2000)}`));
        return;
      }
      const result = JSON.parse(stdout) as AutocannonJson;
      resolve({
        rps: result["2xx"] / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        requests: result["2xx"],
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
      });
    });
  });
}
