import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built CLI, as users run it. */
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/** What a finished run printed, and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of a run: extra environment variables (on top of a clean one) and the directory. */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * A clean environment: PATH only, so no Adobe credential or `PHOTOSHOP_API_URL` of the machine
 * running the tests can change the target.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", ...extra };
}

/**
 * How long {@link runCli} lets a command run before it kills it: a hang detector, not a measurement.
 * It stays under the CLI tests' 300 s test timeout (vitest.config.ts), so that a hung command is
 * killed and reported by its own test; on a loaded 2-core machine a batch of several jobs has taken
 * 80 s, which the former 60 s cut short.
 */
const HANG_MS = 280_000;

/**
 * Runs `node dist/cli.js …args` to completion. A command killed as hung ends with `code: -1` and
 * a note on stderr: once execFile has closed its pipes, the CLI's own exit code (0 after the
 * EPIPE of a reader that has gone) says nothing about the command.
 */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: cleanEnv(options.env), cwd: options.cwd, timeout: HANG_MS },
      (error, stdout, stderr) => {
        // execFile reports a killed child that then exited 0 as a success (error === null).
        if (child.killed) {
          resolve({
            code: -1,
            stdout,
            stderr: `${stderr}\n[runCli: killed, no exit within ${HANG_MS / 1000} s]`,
          });
          return;
        }
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A run still in progress: the child, and its result once it exits. */
export interface RunningCli {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node dist/cli.js …args` without waiting, so that a test can signal it. `detached` puts it
 * in its own process group, so that `process.kill(-pid, "SIGINT")` acts like Ctrl-C in a terminal
 * (which signals every process of the foreground group).
 */
export function startCli(
  args: readonly string[],
  options: RunOptions & { detached?: boolean } = {},
): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: cleanEnv(options.env),
    cwd: options.cwd,
    detached: options.detached ?? false,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}
