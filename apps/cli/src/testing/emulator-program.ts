import { type RunningCli, startCli } from "./run-cli.js";

/**
 * Starts `psapi emulator <flags…>` (detached, so a test can signal its process group) and resolves
 * with its URL once the program prints the line that names it (`listening on`, or `recording on`
 * for `--record`); rejects if the program exits first.
 *
 * @example
 * const { server, url } = await startEmulatorProgram(["--replay", cassette, "--port", "0"]);
 */
export async function startEmulatorProgram(
  flags: readonly string[],
  env: Record<string, string> = {},
): Promise<{ server: RunningCli; url: string }> {
  const server = startCli(["emulator", ...flags], { env, detached: true });
  const url = await new Promise<string>((resolve, reject) => {
    server.child.stdout?.on("data", () => {
      const match = /(?:recording|listening) on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output());
      if (match?.[1]) resolve(match[1]);
    });
    void server.done.then((result) => reject(new Error(`psapi emulator exited: ${result.stderr}`)));
  });
  return { server, url };
}
