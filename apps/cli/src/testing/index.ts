// `@psapi/cli/testing`: how tests outside this package run the built `psapi` and other commands.
export {
  CLI,
  type CliResult,
  cleanEnv,
  type RunCommandOptions,
  type RunningCli,
  type RunOptions,
  runCli,
  runCommand,
  startCli,
} from "./run-cli.js";
