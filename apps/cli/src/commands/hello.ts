import type { Command } from "commander";
import { type GlobalOptions, timeoutOption } from "../options.js";
import type { Session } from "../session.js";

/**
 * `psapi hello`: the API's smoke test. Proves that the credentials and the API key are accepted.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerHello(program, session);
 * await program.parseAsync(["node", "psapi", "hello"]);
 */
export function registerHello(program: Command, session: Session): void {
  program
    .command("hello")
    .description("call the API's hello endpoint: checks the token and the API key")
    .addOption(timeoutOption())
    .addHelpText("after", "\nExample:\n  psapi hello")
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const target = await session.openTarget({ baseUrl: options.baseUrl });
      const message = await target.client.hello({ signal: session.context.signal });
      session.output.result(message.trim(), { target: target.description, message: message.trim() });
    });
}
