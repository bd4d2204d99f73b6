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

/** Runs `node dist/cli.js …args` to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: cleanEnv(options.env), cwd: options.cwd, timeout: 60_000 },
      (error, stdout, stderr) => {
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
