import { createRequire } from "node:module";
import { Command } from "commander";
import { registerActions } from "./commands/actions.js";
import { registerAutoCrop } from "./commands/auto-crop.js";
import { registerBatch } from "./commands/batch.js";
import { registerCassette } from "./commands/cassette.js";
import { registerDocumentCommands } from "./commands/composite.js";
import { registerEdit } from "./commands/edit.js";
import { registerEmulator } from "./commands/emulator.js";
import { registerFill } from "./commands/fill.js";
import { registerHello } from "./commands/hello.js";
import { registerImageCommands } from "./commands/image.js";
import { registerManifest } from "./commands/manifest.js";
import { registerMaskBodyParts } from "./commands/mask-body-parts.js";
import { registerMaskObjects } from "./commands/mask-objects.js";
import { registerQuickstart } from "./commands/quickstart.js";
import { registerRefineMask } from "./commands/refine-mask.js";
import { registerRemoveBackground } from "./commands/remove-background.js";
import { registerStatus } from "./commands/status.js";
import { registerToken } from "./commands/token.js";
import { applyHelpGroups } from "./help-groups.js";
import type { Session } from "./session.js";
import { parseUrlArgument } from "./validate.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const ENVIRONMENT_HELP = `
Targets:
  no credentials, no base URL   an emulator started inside psapi (offline)
  credentials in the env        Adobe's API (https://image.adobe.io)
  --base-url / PHOTOSHOP_API_URL  that API, e.g. a running emulator (psapi emulator)

Environment:
  PHOTOSHOP_CLIENT_ID, PHOTOSHOP_CLIENT_SECRET   server-to-server credentials
  PHOTOSHOP_ACCESS_TOKEN                         a ready token (with PHOTOSHOP_CLIENT_ID)
  PHOTOSHOP_API_URL, PHOTOSHOP_IMS_URL           other API and IMS origins
  PSAPI_DEBUG=1                                  stack traces on errors

Exit codes: 0 ok, 1 API or job failure, 2 usage, 3 auth, 4 network or timeout, 130 interrupted`;

/**
 * Builds the `psapi` command tree. Errors are not printed by commander: they are thrown as
 * `CommanderError` and reported by the caller like every other failure (one line and a hint).
 *
 * @param session - The run the commands act in.
 * @returns The program, ready for `parseAsync`.
 * @example
 * await buildProgram(session).parseAsync(["node", "psapi", "hello"]);
 */
export function buildProgram(session: Session): Command {
  const { stdout } = session.context;
  const program = new Command("psapi")
    .description("The command line for Adobe's Photoshop API, with an embedded offline emulator.")
    .version(version, "-V, --version")
    .option("--json", "print the result as one JSON document on stdout")
    .option(
      "--base-url <url>",
      "call this API (default: Adobe with credentials, else the embedded emulator)",
      parseUrlArgument,
    )
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => session.output.stderr.write(text),
      outputError: () => {},
    })
    .exitOverride()
    .addHelpText("after", ENVIRONMENT_HELP);
  registerQuickstart(program, session);
  registerToken(program, session);
  registerHello(program, session);
  registerRemoveBackground(program, session);
  registerMaskObjects(program, session);
  registerMaskBodyParts(program, session);
  registerRefineMask(program, session);
  registerFill(program, session);
  registerAutoCrop(program, session);
  registerImageCommands(program, session);
  registerDocumentCommands(program, session);
  registerActions(program, session);
  registerEdit(program, session);
  registerCassette(program, session);
  registerManifest(program, session);
  registerStatus(program, session);
  registerBatch(program, session);
  registerEmulator(program, session);
  // Last: it groups (and orders) every command registered above for --help.
  applyHelpGroups(program);
  return program;
}
