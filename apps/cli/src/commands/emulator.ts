import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { Command } from "commander";
import { CliError, usageError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import type { GlobalOptions } from "../options.js";
import type { Session } from "../session.js";

/** How long the server has to stop on its own terminal Ctrl-C before psapi passes the signal on. */
const SIGNAL_GRACE_MS = 500;

/**
 * `psapi emulator [flags...]`: serves the emulator on a local port until Ctrl-C by running the
 * mock-server's own program (`@psapi/mock-server/main`) with the given flags, so
 * that `psapi emulator` and `pnpm emulator` are one server with one set of flags.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerEmulator(program, session);
 * await program.parseAsync(["node", "psapi", "emulator", "--port", "4010"]);
 */
export function registerEmulator(program: Command, session: Session): void {
  program
    .command("emulator")
    .argument("[flags...]", "the emulator server's flags (list them with: psapi emulator -- --help)")
    .description("serve the emulator (API, IMS, storage, control API) on http://127.0.0.1:4010 until Ctrl-C")
    .allowUnknownOption()
    // --json and --base-url are for the commands that call an API, not for the server.
    .configureHelp({ showGlobalOptions: false })
    .addHelpText(
      "after",
      "\nCommon flags: --port <n> (0: any free port), --host <addr>, --job-pending-ms <n>, --job-running-ms <n>,\n" +
        "  --trial-quota <n>, --rate-limits, --fault <json>,\n" +
        "  --replay <cassette.har> (serve a recorded session offline; the control API stays live)\n" +
        "Recording a real API: --record <cassette.har> --upstream <api-url> [--ims-upstream <ims-url>]\n" +
        "  [--secret-env <NAME>] [--record-missing]: a proxy on loopback; the cassette is written on Ctrl-C\n" +
        "\nExamples:\n  psapi emulator --port 4010\n" +
        "  psapi emulator --replay cassettes/remove-background.har\n" +
        "  psapi emulator --record rb.har --upstream https://image.adobe.io \\\n" +
        "    --ims-upstream https://ims-na1.adobelogin.com --secret-env PHOTOSHOP_CLIENT_SECRET\n" +
        "  PHOTOSHOP_CLIENT_ID=psapi-demo-client PHOTOSHOP_CLIENT_SECRET=psapi-demo-secret \\\n" +
        "    psapi hello --base-url http://127.0.0.1:4010",
    )
    .action(async (flags: string[], _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (globals.json || globals.baseUrl) {
        // They mean something to every other command; here they would be dropped without a word.
        throw usageError(
          `psapi emulator takes the server's flags, not ${globals.json ? "--json" : "--base-url"}`,
          "start it with: psapi emulator --port 4010; then pass --base-url http://127.0.0.1:4010 to the other commands",
        );
      }
      const { signal } = session.context;
      let serverScript: string;
      try {
        serverScript = createRequire(import.meta.url).resolve("@psapi/mock-server/main");
      } catch {
        throw new CliError("the emulator's server is not built", {
          hint: "run: pnpm --filter @psapi/mock-server build",
        });
      }
      const child = spawn(process.execPath, [serverScript, ...flags], {
        stdio: "inherit",
        // The server's usage line names the command the user typed.
        env: { ...process.env, PSAPI_EMULATOR_COMMAND: "psapi emulator" },
      });
      // Ctrl-C in a terminal reaches the server too, and it shuts down by itself. A signal sent to
      // psapi alone is passed on as SIGTERM, which the server also answers with a graceful
      // shutdown, but only after a moment: sent at once, the server would get both and say twice
      // that it is shutting down.
      let grace: NodeJS.Timeout | undefined;
      const stop = () => {
        grace = setTimeout(() => child.kill("SIGTERM"), SIGNAL_GRACE_MS);
      };
      signal.addEventListener("abort", stop, { once: true });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", (exitCode) => resolve(exitCode));
      }).finally(() => {
        clearTimeout(grace);
        signal.removeEventListener("abort", stop);
      });
      if (code === 2)
        throw new CliError("the emulator refused its flags (see above)", { exitCode: ExitCode.usage });
      // After Ctrl-C a non-zero exit is still a failure: with --record, the cassette was refused or not written.
      if (code !== 0 && (code !== null || !signal.aborted))
        throw new CliError(`the emulator stopped with exit code ${code} (see above)`);
    });
}
