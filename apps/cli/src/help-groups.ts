import type { Command } from "commander";

/**
 * `psapi --help`'s command groups, by contract, the current one first: one row per group, its
 * commands in the order they are listed. The one place that says where a command is shown; a
 * command in no row is listed last under "Other commands:" (a test keeps that list empty).
 */
export const COMMAND_GROUPS: readonly {
  readonly heading: string;
  readonly commands: readonly string[];
  /** `current`: the commands of operations Adobe serves today (hints list them). */
  readonly contract?: "current";
}[] = [
  {
    heading: "Current contract, image.adobe.io (background, masks, crops):",
    commands: ["remove-background", "mask-objects", "mask-body-parts", "refine-mask", "fill", "auto-crop"],
    contract: "current",
  },
  {
    heading: "Current contract, Photoshop API v2 (photoshop-api.adobe.io):",
    commands: ["composite", "artboard", "actions", "edit", "manifest"],
    contract: "current",
  },
  { heading: "Jobs and batches:", commands: ["status", "batch", "worker"] },
  {
    heading: "Getting started and tools:",
    commands: ["quickstart", "token", "emulator", "cassette", "help"],
  },
  {
    heading: "Retired contract (ended by Adobe; for emulators and old pipelines):",
    commands: ["mask", "cutout", "hello"],
  },
];

/** The commands of the current contract's groups, in their help order (for hints that list them). */
export const CURRENT_COMMANDS: readonly string[] = COMMAND_GROUPS.filter(
  (group) => group.contract === "current",
).flatMap((group) => group.commands);

/** Where commands in no group are listed. */
export const OTHER_COMMANDS = "Other commands:";

/**
 * Puts every command of `program` in its help group and orders `program.commands` by the table,
 * since commander lists the groups in the order their first command was added. Call it once,
 * after every command is registered.
 */
export function applyHelpGroups(program: Command): void {
  const rank = new Map<string, number>();
  const heading = new Map<string, string>();
  for (const group of COMMAND_GROUPS) {
    for (const name of group.commands) {
      rank.set(name, rank.size);
      heading.set(name, group.heading);
    }
  }
  for (const command of program.commands) command.helpGroup(heading.get(command.name()) ?? OTHER_COMMANDS);
  // commander keeps its subcommands in a plain array; sorting it changes only the help's order.
  (program.commands as Command[]).sort(
    (a, b) => (rank.get(a.name()) ?? rank.size) - (rank.get(b.name()) ?? rank.size),
  );
  // The implicit `help` command is created late: the default group reaches it.
  program.commandsGroup(heading.get("help") ?? OTHER_COMMANDS).helpCommand(true);
}
