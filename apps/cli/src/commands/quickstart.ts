import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { formatDuration } from "../display.js";
import { type GlobalOptions, timeoutOption } from "../options.js";
import type { Session } from "../session.js";

/** The sample photo shipped with the CLI (see assets/LICENSES.md). */
const SAMPLE_PHOTO = fileURLToPath(new URL("../../assets/coffee.png", import.meta.url));

/**
 * `psapi quickstart`: Adobe's create-mask quickstart, end to end, on the sample photo: token,
 * upload, createMask, wait, download. Offline on the embedded emulator unless `--base-url` (or
 * `PHOTOSHOP_API_URL`) names a running emulator.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerQuickstart(program, session);
 * await program.parseAsync(["node", "psapi", "quickstart"]);
 */
export function registerQuickstart(program: Command, session: Session): void {
  program
    .command("quickstart")
    .description(
      "run the create-mask quickstart on a sample photo: token → upload → createMask → wait → download",
    )
    .option("--out <file>", "where to write the mask", "out/coffee-mask.png")
    .addOption(timeoutOption())
    .addHelpText("after", "\nExample:\n  psapi quickstart            # writes out/coffee-mask.png")
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & { out: string; timeout: number }>();
      const { context, output } = session;
      // `pnpm --filter @psapi/cli run quickstart` runs in apps/cli; INIT_CWD is where the user typed it.
      const cwd = context.env.INIT_CWD ?? context.cwd;
      const target = await session.openTarget({ baseUrl: options.baseUrl, offline: true });
      const { runImageJob } = await import("../job.js");
      let step = 0;
      const note = (line: string) => output.note(`[${++step}/5] ${line}`);
      const token = await target.auth.getToken({ signal: context.signal });
      note(
        `token: IMS issued a bearer token to ${token.clientId}, valid ${formatDuration(token.expiresAt - context.now())}`,
      );
      const { text, data } = await runImageJob(session, target, {
        kind: "mask",
        input: { kind: "file", path: SAMPLE_PHOTO },
        outputUrl: undefined,
        out: options.out,
        format: "soft",
        timeoutMs: options.timeout * 1000,
        cwd,
        onStep: note,
      });
      output.result(`[5/5] ${text}`, data);
    });
}
