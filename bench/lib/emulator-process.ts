// Starts the emulator the way users run it (`node apps/mock-server/dist/server.js`), pinned to the
// server core, on a free loopback port.
// PROVISIONAL: the flags below follow the shared contract; adjust once apps/mock-server/src/server.ts lands.
import { join } from "node:path";
import { freePort } from "./ports.js";
import { type ServerProcess, startServer } from "./proc.js";

const serverJs = join(new URL("../..", import.meta.url).pathname, "apps", "mock-server", "dist", "server.js");

/** Options for {@link startEmulator}. */
export interface EmulatorProcessOptions {
  readonly name: string;
  /** Jobs go pending → running → final with no artificial delay (for the job-throughput bench). */
  readonly zeroJobDelay?: boolean;
}

/** A running emulator and the command line that started it (for the results file). */
export interface EmulatorProcess extends ServerProcess {
  readonly command: string;
}

/** Starts `apps/mock-server/dist/server.js`. */
export async function startEmulator(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const port = await freePort();
  const args = [serverJs, "--host", "127.0.0.1", "--port", String(port)];
  if (options.zeroJobDelay) args.push("--pending-ms", "0", "--running-ms", "0");
  const server = await startServer({
    name: options.name,
    command: process.execPath,
    args,
    ready: /listening|127\.0\.0\.1:\d+/i,
    port,
  });
  return { ...server, command: `node apps/mock-server/dist/server.js ${args.slice(1).join(" ")}` };
}
