import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { formatDuration } from "../display.js";
import { type GlobalOptions, timeoutOption } from "../options.js";
import type { Session } from "../session.js";

/** The sample photo shipped with the CLI (see assets/LICENSES.md). */
const SAMPLE_PHOTO = fileURLToPath(new URL("../../assets/coffee.png", import.meta.url));

/**
 * `psapi quickstart`: a mask of the sample photo, end to end: token, upload, submit, wait, download.
 * By default on the current contract (`remove-background --mode mask`, `POST /v2/remove-background`);
 * with `--legacy` the seed's create-mask flow (`POST /sensei/mask`, retired by Adobe on 2025-10-15,
 * still served by the emulator). Offline on the embedded emulator unless `--base-url` (or
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
      "make a mask of a sample photo: token → upload → removeBackground (mode mask) → wait → download",
    )
    .option("--out <file>", "where to write the mask", "out/coffee-mask.png")
    .option("--legacy", "run the seed's create-mask flow instead (POST /sensei/mask, retired by Adobe)")
    .addOption(timeoutOption())
    .addHelpText(
      "after",
      "\nExamples:\n  psapi quickstart            # writes out/coffee-mask.png\n" +
        "  psapi quickstart --legacy   # the same through the retired /sensei/mask",
    )
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<
        GlobalOptions & { out: string; timeout: number; legacy?: boolean }
      >();
      const { context, output } = session;
      // `pnpm --filter @psapi/cli run quickstart` runs in apps/cli; INIT_CWD is where the user typed it.
      const cwd = context.env.INIT_CWD ?? context.cwd;
      const target = await session.openTarget({ baseUrl: options.baseUrl, offline: true });
      let step = 0;
      const note = (line: string) => output.note(`[${++step}/5] ${line}`);
      const token = await target.auth.getToken({ signal: context.signal });
      note(
        `token: IMS issued a bearer token to ${token.clientId}, valid ${formatDuration(token.expiresAt - context.now())}`,
      );
      const input = { kind: "file", path: SAMPLE_PHOTO } as const;
      const timeoutMs = options.timeout * 1000;
      const { text, data } = options.legacy
        ? await (await import("../job.js")).runImageJob(session, target, {
            kind: "mask",
            input,
            outputUrl: undefined,
            out: options.out,
            format: "soft",
            timeoutMs,
            cwd,
            onStep: note,
          })
        : await (await import("../current-job.js")).runRemoveBackground(session, target, {
            input,
            mode: "mask",
            outputType: "image/png",
            extension: "png",
            trim: undefined,
            backgroundColor: undefined,
            colorDecontamination: undefined,
            out: options.out,
            timeoutMs,
            cwd,
            onStep: note,
          });
      output.result(`[5/5] ${text}`, data);
    });
}
