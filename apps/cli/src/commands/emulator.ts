import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import type { Session } from "../session.js";
import { parsePort } from "../validate.js";

/**
 * `psapi emulator`: serves the emulator on a local port until Ctrl-C, by running the mock-server's
 * own server entry (`@psapi/mock-server`'s `dist/server.js`), so that both start it the same way.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 */
export function registerEmulator(program: Command, session: Session): void {
  program
    .command("emulator")
    .description("serve the emulator (API, IMS, storage) on a local port until Ctrl-C")
    .option("--port <port>", "the port to listen on (0: any free port)", parsePort, 4010)
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .addHelpText(
      "after",
      "\nExample:\n  psapi emulator --port 4010\n" +
        "  PHOTOSHOP_CLIENT_ID=psapi-demo-client PHOTOSHOP_CLIENT_SECRET=psapi-demo-secret \\\n" +
        "    psapi hello --base-url http://127.0.0.1:4010",
    )
    .action(async (options: { port: number; host: string }) => {
      const require = createRequire(import.meta.url);
      const serverScript = join(
        dirname(require.resolve("@psapi/mock-server/package.json")),
        "dist",
        "server.js",
      );
      const child = spawn(
        process.execPath,
        [serverScript, "--port", String(options.port), "--host", options.host],
        { stdio: "inherit", signal: session.context.signal, killSignal: "SIGINT" },
      );
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once("error", (error) => (session.context.signal.aborted ? resolve(0) : reject(error)));
        child.once("exit", (exitCode) => resolve(exitCode));
      });
      if (code !== 0 && code !== null && !session.context.signal.aborted) {
        throw new CliError(`the emulator stopped with exit code ${code}`);
      }
    });
}
