// Child-process servers pinned to one core. The load generator runs pinned to the other core (see
// `pinSelf` and `autocannon.ts`), so server and client never steal each other's CPU.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

/** The core servers run on. */
export const SERVER_CORE = 0;
/** The core the load generator (autocannon, in-process clients) runs on. */
export const CLIENT_CORE = 1;

const canPin = cpus().length >= 2 && spawnSync("taskset", ["-V"]).status === 0;

/** Whether processes are really pinned (false on a 1-core machine or without `taskset`). */
export const pinned = canPin;

/** `[command, ...args]` prefixed with `taskset -c <core>` when pinning is possible. */
export function onCore(core: number, command: string, args: readonly string[]): [string, string[]] {
  return canPin ? ["taskset", ["-c", String(core), command, ...args]] : [command, [...args]];
}

/**
 * Pins every thread of this process to `core`, so in-process clients measured here run on the
 * client core. `-a` matters: Node's libuv and V8 threads must move too.
 */
export function pinSelf(core: number): void {
  if (canPin) spawnSync("taskset", ["-a", "-c", "-p", String(core), String(process.pid)]);
}

const live = new Set<ChildProcess>();
// A crashed bench must not leave servers behind on a shared machine.
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => process.exit(130));
}

/** A started server and how to reach and stop it. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly origin: string;
  /** Peak resident set size so far (VmHWM), in bytes, read from /proc. */
  peakRss(): number;
  /**
   * CPU time (user + system, all threads) the process has used so far, in seconds, from
   * /proc/<pid>/stat. Unlike throughput, CPU time per request barely moves when other work shares
   * the machine, so it is the steadier figure on a busy host.
   */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** How to start one server. */
export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly core?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Matches the line that says the server is listening; group 1 is the port when `port` is absent. */
  readonly ready: RegExp;
  readonly port?: number;
  readonly timeoutMs?: number;
}

/**
 * Starts a server pinned to `core` (the server core by default) and resolves once its output
 * matches `ready`.
 * @throws {Error} with the server's output when it exits or stays silent past `timeoutMs`.
 */
export function startServer(options: StartOptions): Promise<ServerProcess> {
  const [command, args] = onCore(options.core ?? SERVER_CORE, options.command, options.args);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      live.delete(child);
      reject(new Error(`${options.name}: ${why}\n${output.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail("not ready in time"), options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
      const match = options.ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      // Keep draining so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      child.off("exit", onExit);
      const port = options.port ?? Number(match[1]);
      resolve(handle(options.name, child, port));
    };
    const onExit = (code: number | null) => fail(`exited early (code ${code})`);
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

function handle(name: string, child: ChildProcess, port: number): ServerProcess {
  const pid = child.pid ?? 0;
  return {
    name,
    pid,
    port,
    origin: `http://127.0.0.1:${port}`,
    peakRss: () => readPeakRss(pid),
    cpuSeconds: () => readCpuSeconds(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          live.delete(child);
          resolve();
          return;
        }
        const force = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
          clearTimeout(force);
          live.delete(child);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux Node supports.
const TICKS_PER_SECOND = 100;

function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

function readPeakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib ? Number(kib) * 1024 : 0;
}
