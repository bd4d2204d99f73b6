// Starts the emulator the way users run it (`node apps/mock-server/dist/main.js`, auth and journal
// on), pinned to the server core, on a free loopback port.
import { join } from "node:path";
import { type ServerProcess, startServer } from "./proc.js";

const mainJs = join(new URL("../..", import.meta.url).pathname, "apps", "mock-server", "dist", "main.js");

/** Options for {@link startEmulator}. */
export interface EmulatorProcessOptions {
  readonly name: string;
  /** Jobs go pending → running → final with no artificial delay (for the job-throughput bench). */
  readonly zeroJobDelay?: boolean;
  /** More flags, e.g. `["--max-object-bytes", "268435456"]` for a large input. */
  readonly extraFlags?: readonly string[];
}

/** A running emulator and the command line that started it (for the results file). */
export interface EmulatorProcess extends ServerProcess {
  readonly command: string;
}

/** Starts `apps/mock-server/dist/main.js` on 127.0.0.1, port 0. */
export async function startEmulator(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const flags = ["--host", "127.0.0.1", "--port", "0"];
  if (options.zeroJobDelay) flags.push("--job-pending-ms", "0", "--job-running-ms", "0");
  flags.push(...(options.extraFlags ?? []));
  const server = await startServer({
    name: options.name,
    command: process.execPath,
    args: [mainJs, ...flags],
    ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
  });
  return { ...server, command: `node apps/mock-server/dist/main.js ${flags.join(" ")}` };
}
