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

/** Options of {@link runCommand}: those of a run, and how long before it counts as hung. */
export interface RunCommandOptions extends RunOptions {
  /**
   * Kills the command after this long: a hang detector, not a measurement. Keep it under the
   * test's own timeout, so that a hung command is reported by its test. Default 280 s.
   */
  hangMs?: number;
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
 * Runs `file …args` to completion in a clean environment ({@link cleanEnv}), with a hang detector:
 * a command killed as hung ends with `code: -1` and a note on stderr. Once execFile has closed its
 * pipes, the command's own exit code (0 after the EPIPE of a reader that has gone) says nothing.
 *
 * @example
 * const { code, stdout } = await runCommand(join(bin, "psapi"), ["--version"], { hangMs: 100_000 });
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CliResult> {
  const hangMs = options.hangMs ?? HANG_MS;
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: cleanEnv(options.env), cwd: options.cwd, timeout: hangMs },
      (error, stdout, stderr) => {
        // execFile reports a killed child that then exited 0 as a success (error === null).
        if (child.killed) {
          resolve({
            code: -1,
            stdout,
            stderr: `${stderr}\n[runCommand: killed, no exit within ${hangMs / 1000} s]`,
          });
          return;
        }
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs `node dist/cli.js …args` to completion, with {@link runCommand}'s hang detector.
 *
 * @example
 * const result = await runCli(["mask", "cat.png"], { env: { PHOTOSHOP_API_URL: emulator.url } });
 */
export function runCli(args: readonly string[], options: RunCommandOptions = {}): Promise<CliResult> {
  return runCommand(process.execPath, [CLI, ...args], options);
}

/** A run still in progress: the child, and its result once it exits. */
export interface RunningCli {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Everything written to stdout and stderr so far, in the order it came. */
  output(): string;
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
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, output: () => output, done };
}
