import type { AccessToken } from "@psapi/auth";
import type { Command } from "commander";
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
      "\nExamples:\n  psapi token\n  export PHOTOSHOP_ACCESS_TOKEN=$(psapi token --show --json | jq -r .token)",
    )
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & { show?: boolean }>();
      const target = await session.openTarget({ baseUrl: options.baseUrl });
      const token: AccessToken = await target.auth.getToken({ signal: session.context.signal });
      const shown = options.show ? token.accessToken : redactToken(token.accessToken);
      // A static token (PHOTOSHOP_ACCESS_TOKEN) comes without an expiry: psapi cannot know it.
      const known = Number.isFinite(token.expiresAt);
      const expiresIn = token.expiresAt - session.context.now();
      const expires = known ? new Date(token.expiresAt).toISOString() : undefined;
      session.output.result(
        [
          `token:   ${shown}`,
          `expires: ${expires === undefined ? "unknown (a ready-made token)" : `${expires} (in ${formatDuration(expiresIn)})`}`,
          `client:  ${token.clientId}`,
          `scopes:  ${token.scopes.join(", ") || "(not known)"}`,
        ].join("\n"),
        {
          target: target.description,
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
