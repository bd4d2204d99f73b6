// The CLI reference: the built `psapi` (apps/cli/dist) asked for `--help`, then for `<command>
// --help` of every command that lists (and of each of its subcommands; the emulator's server flags
// too), one Markdown page per command. Nothing here is written by hand, so
// the page says what the installed command says.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The built CLI's entry point (`@psapi/cli`'s bin target). */
export function cliEntry() {
  return join(dirname(require.resolve("@psapi/cli/package.json")), "dist", "cli.js");
}

function help(args) {
  return execFileSync(process.execPath, [cliEntry(), ...args, "--help"], {
    encoding: "utf8",
    // No credentials: the help text is the same either way, and nothing is called.
    env: { PATH: process.env.PATH ?? "", COLUMNS: "100" },
    timeout: 30_000,
  });
}

/**
 * The command names of `psapi --help`: the lines of its command groups ("Current contract, …",
 * "Jobs and batches", …) that start with a name followed by its arguments or by the column gap;
 * the other blocks' lines ("Targets", "Environment") have a single space after their first word.
 */
export function commandNames(text) {
  const body = text.split(/^Options:$/m)[1] ?? "";
  return [...body.matchAll(/^ {2}([a-z][a-z-]*)(?= [[<]| {2,}|$)/gm)]
    .map((match) => match[1])
    .filter((name) => name !== "help");
}

const fence = (text) => `\`\`\`text\n${text.trimEnd()}\n\`\`\`\n`;

/** The subcommand names a command's help lists under "Commands:" (`cassette validate`, …). */
export function subcommandNames(text) {
  const body = text.split(/^Commands:$/m)[1] ?? "";
  return [...body.matchAll(/^ {2}([a-z][a-z-]*)(?= [[<]| {2,}|$)/gm)]
    .map((match) => match[1])
    .filter((name) => name !== "help");
}

/**
 * The help of `psapi <name>` and what it leads to: each subcommand's own help, and for
 * `emulator` the server's flags (`psapi emulator -- --help`), which its help only names.
 */
function commandPage(name) {
  const own = help([name]);
  const sections = subcommandNames(own).map(
    (sub) => `## psapi ${name} ${sub}\n\n${fence(help([name, sub]))}`,
  );
  if (name === "emulator") sections.push(`## The server's flags\n\n${fence(help(["emulator", "--"]))}`);
  return [`# psapi ${name}\n\n${fence(own)}`, ...sections].join("\n");
}

/**
 * Writes `<out>/index.md` (psapi --help and the list of commands) and `<out>/<command>.md`.
 *
 * @param {string} out - The folder (the site's `cli/`).
 * @returns {string[]} The command names.
 */
export function writeCliReference(out) {
  mkdirSync(out, { recursive: true });
  const top = help([]);
  const names = commandNames(top);
  if (names.length === 0) throw new Error("psapi --help listed no command: the CLI reference would be empty");
  const list = names.map((name) => `- [\`psapi ${name}\`](./${name}.md)`).join("\n");
  writeFileSync(
    join(out, "index.md"),
    `# CLI reference\n\nGenerated from \`psapi --help\` of the built CLI. Exit codes and what to do about each: [Troubleshooting](../guide/troubleshooting.md).\n\n${fence(top)}\n## Commands\n\n${list}\n`,
  );
  for (const name of names) {
    writeFileSync(join(out, `${name}.md`), commandPage(name));
  }
  return names;
}
