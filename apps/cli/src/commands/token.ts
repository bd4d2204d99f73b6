import type { AccessToken } from "@psapi/auth";
import type { Command } from "commander";
import { usageError } from "../cli-error.js";
import { formatDuration } from "../display.js";
import { type GlobalOptions, timeoutOption } from "../options.js";
import type { Session } from "../session.js";

/**
 * A token in a form that can be shown: its first and last four characters. Enough to tell two
 * tokens apart, far too little to use one.
 *
 * @param token - An access token.
 * @example
 * redactToken("eyJhbGciOiJSUzI1NiJ9.payload.signature") // "eyJh…ture (38 characters)"
 */
export function redactToken(token: string): string {
  if (token.length < 16) return `… (${token.length} characters)`;
  return `${token.slice(0, 4)}…${token.slice(-4)} (${token.length} characters)`;
}

/**
 * `psapi token`: gets an access token from the target's IMS and prints its expiry and a redacted
 * form; the whole token only with `--show`.
 *
 * @param program - The program to add the command to.
 * @param session - The run.
 * @example
 * registerToken(program, session);
 * await program.parseAsync(["node", "psapi", "token"]);
 */
export function registerToken(program: Command, session: Session): void {
  program
    .command("token")
    .description("get an access token: prints its expiry and a redacted form")
    .option("--show", "print the whole token (it is a secret: keep it out of logs)")
    .addOption(timeoutOption())
    .addHelpText(
      "after",
      "\nExamples:\n  psapi token\n  export PHOTOSHOP_ACCESS_TOKEN=$(psapi token --show --json | jq -r .token)   # with Adobe credentials set\n" +
        "\n--show refuses a token of the embedded emulator: it ends with the command, and no API accepts it.",
    )
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & { show?: boolean }>();
      const target = await session.openTarget({ baseUrl: options.baseUrl });
      if (options.show && target.kind === "embedded") {
        // A token of the emulator that lives inside this one command: no API accepts it, and the
        // README's `export PHOTOSHOP_ACCESS_TOKEN=$(…)` recipe would then send it to Adobe.
        throw usageError(
          "refusing to print a token of the embedded emulator: it ends with this command, and no API accepts it",
          "set PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET for an Adobe token, or pass --base-url of a running emulator (psapi emulator) for one it accepts",
        );
      }
      const token: AccessToken = await target.auth.getToken({ signal: session.context.signal });
      // Asked for by name: the one value this run prints that it otherwise scrubs.
      if (options.show) session.secrets.reveal(token.accessToken);
      const shown = options.show ? token.accessToken : redactToken(token.accessToken);
      // A static token (PHOTOSHOP_ACCESS_TOKEN) comes without an expiry: psapi cannot know it.
      const known = Number.isFinite(token.expiresAt);
      const expiresIn = token.expiresAt - session.context.now();
      const expires = known ? new Date(token.expiresAt).toISOString() : undefined;
      session.output.result(
        [
          `issuer:  ${target.description}`,
          `token:   ${shown}`,
          `expires: ${expires === undefined ? "unknown (a ready-made token)" : `${expires} (in ${formatDuration(expiresIn)})`}`,
          `client:  ${token.clientId}`,
          `scopes:  ${token.scopes.join(", ") || "(not known)"}`,
        ].join("\n"),
        {
          target: target.description,
          issuer: target.kind,
          token: shown,
          redacted: !options.show,
          expiresAt: expires ?? null,
          expiresInSeconds: known ? Math.floor(expiresIn / 1000) : null,
          clientId: token.clientId,
          scopes: token.scopes,
        },
      );
    });
}
