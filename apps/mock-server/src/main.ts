#!/usr/bin/env node
// The `psapi-emulator` program: flags, listening, signals. The library it runs is ./server.ts.
import { realpathSync } from "node:fs";
import { basename, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { CreateEmulatorOptions } from "./app.js";
import { CassetteFormatError } from "./cassette/errors.js";
import { readCassette } from "./cassette/format.js";
import { DEMO_CLIENT, type FaultRuleInput } from "./options.js";
import {
  type RecordConfig,
  type RunningRecorder,
  recordConfig,
  recorderBanner,
  startRecorder,
  stopRecorder,
} from "./record.js";
import { type RunningServer, type ServerConfig, startServer } from "./server.js";

/** What the program runs: an emulator, or with `record` a recording proxy in front of a real API. */
export type MainConfig = ServerConfig & { record?: RecordConfig };

/**
 * How the server was started, for its usage line: `psapi emulator` (the CLI sets
 * `PSAPI_EMULATOR_COMMAND`), `pnpm emulator` (the root script), `psapi-emulator` (the package's
 * binary), else `node <script>`.
 *
 * @param argv - `process.argv`.
 * @param env - The environment.
 * @example
 * commandName(["node", "/x/node_modules/.bin/psapi-emulator"], {}) // "psapi-emulator"
 */
export function commandName(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (env.PSAPI_EMULATOR_COMMAND) return env.PSAPI_EMULATOR_COMMAND;
  if (env.npm_lifecycle_event === "emulator") return "pnpm emulator";
  const script = argv[1] ?? "main.js";
  // The bin link, or the launcher it points to (pnpm's shim runs the launcher by its own path).
  if (/^psapi-emulator(\.js)?$/.test(basename(script))) return "psapi-emulator";
  return `node ${relative(process.cwd(), script) || script}`;
}

/** The `--help` text of the emulator server, with the command as it was run. */
export const usage = (command: string): string => `Usage: ${command} [options]

  --port <n>             port (env PORT; default 4010; 0 picks a free one)
  --host <addr>          address to bind (default 127.0.0.1)
  --client-id <id>       client id (env PSAPI_EMULATOR_CLIENT_ID; default ${DEMO_CLIENT.clientId})
  --client-secret <s>    client secret (env PSAPI_EMULATOR_CLIENT_SECRET; default ${DEMO_CLIENT.clientSecret})
  --public-url <url>     origin for status links and pre-signed URLs (default: the request's)
  --job-pending-ms <n>   time a job stays pending (default 200)
  --job-running-ms <n>   least time a job stays running (default 800)
  --token-lifetime <s>   access-token lifetime in seconds (default 86399)
  --refresh-token-lifetime <s>  refresh-token lifetime in seconds (default 1209600, 14 days)
  --fetch-timeout-ms <n> deadline of one transfer to an allow-listed host (default 30000)
  --max-body-bytes <n>   largest JSON/form request body before 413 (default 1048576)
  --max-object-bytes <n> largest stored object or downloaded input (default 52428800)
  --fault <json>         a fault rule, e.g. '{"route":"POST /sensei/*","status":503,"times":2}' (repeatable)
  --fault-seed <n>       seed for probabilistic faults (default 1)
  --rate-limits          enforce Adobe's documented per-org rate limits
  --trial-quota <n>      successful job submissions per client before 402
  --allow-host <host>    host jobs may fetch over https (repeatable; default none)
  --signing-key <key>    HMAC key for pre-signed URLs (env PSAPI_EMULATOR_SIGNING_KEY; default random)
  --expose-control       serve the control API and the inspector beyond loopback (default: loopback only)
  --replay <file>        serve a recorded cassette (.har) offline instead of the live API; the control
                         API and the inspector stay live (see the README's "Serving a cassette")
  --help                 show this help

Recording a real API into a cassette (no emulator runs; emulator-only flags are refused):
  --record <file.har>    serve a recording proxy on loopback; write the cassette on Ctrl-C or SIGTERM
  --upstream <url>       the API's origin, e.g. https://image.adobe.io (required with --record)
  --ims-upstream <url>   IMS's origin for /ims/*, e.g. https://ims-na1.adobelogin.com (default: --upstream)
  --secret-env <name>    an environment variable holding a secret (your client secret) the cassette
                         must not hold; the write is refused if it does (repeatable;
                         PHOTOSHOP_CLIENT_SECRET is always scanned for when set)
  --record-missing       keep what the cassette holds (replayed), record only the rest
  --max-body-bytes <n>   with --record: largest body forwarded (default 268435456)`;

function integer(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new TypeError(
      `--${name} must be an integer between ${min} and ${max} (got ${JSON.stringify(text)})`,
    );
  }
  return value;
}

/**
 * Reads the server's flags and environment.
 *
 * @param argv - arguments after the script name.
 * @param env - environment variables.
 * @returns the config, or `"help"` when `--help` was given.
 * @throws TypeError naming the flag to fix.
 * @example
 * parseServerArgs(["--port", "4011"], {}) // { host: "127.0.0.1", port: 4011, ... }
 */
export function parseServerArgs(argv: readonly string[], env: NodeJS.ProcessEnv): MainConfig | "help" {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      "public-url": { type: "string" },
      "job-pending-ms": { type: "string" },
      "job-running-ms": { type: "string" },
      "token-lifetime": { type: "string" },
      "refresh-token-lifetime": { type: "string" },
      "fetch-timeout-ms": { type: "string" },
      "max-body-bytes": { type: "string" },
      "max-object-bytes": { type: "string" },
      fault: { type: "string", multiple: true },
      "fault-seed": { type: "string" },
      "rate-limits": { type: "boolean" },
      "trial-quota": { type: "string" },
      "allow-host": { type: "string", multiple: true },
      "signing-key": { type: "string" },
      "expose-control": { type: "boolean" },
      record: { type: "string" },
      upstream: { type: "string" },
      "ims-upstream": { type: "string" },
      "secret-env": { type: "string", multiple: true },
      "record-missing": { type: "boolean" },
      replay: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const record = recordConfig(values, env);
  if (record)
    return {
      host: values.host ?? "127.0.0.1",
      port: integer("port", values.port ?? env.PORT, 0, 65535) ?? 4010,
      demoCredentials: false,
      emulator: {},
      record,
    };
  const clientId = values["client-id"] ?? env.PSAPI_EMULATOR_CLIENT_ID;
  const clientSecret = values["client-secret"] ?? env.PSAPI_EMULATOR_CLIENT_SECRET;
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw new TypeError(
      "give both --client-id and --client-secret (or PSAPI_EMULATOR_CLIENT_ID and _SECRET), or neither",
    );
  }
  const faults = (values.fault ?? []).map((text): FaultRuleInput => {
    try {
      return JSON.parse(text) as FaultRuleInput;
    } catch {
      throw new TypeError(`--fault must be a JSON object like '{"route":"POST /sensei/*","status":503}'`);
    }
  });
  const pendingMs = integer("job-pending-ms", values["job-pending-ms"], 0);
  const runningMs = integer("job-running-ms", values["job-running-ms"], 0);
  const maxBodyBytes = integer("max-body-bytes", values["max-body-bytes"], 1);
  const maxObjectBytes = integer("max-object-bytes", values["max-object-bytes"], 1);
  const emulator: CreateEmulatorOptions = {
    clients: clientId && clientSecret ? [{ clientId, clientSecret }] : [DEMO_CLIENT],
    publicUrl: values["public-url"],
    jobs: { ...(pendingMs !== undefined && { pendingMs }), ...(runningMs !== undefined && { runningMs }) },
    tokenLifetimeSeconds: integer("token-lifetime", values["token-lifetime"], 1),
    refreshTokenLifetimeSeconds: integer("refresh-token-lifetime", values["refresh-token-lifetime"], 1),
    fetchTimeoutMs: integer("fetch-timeout-ms", values["fetch-timeout-ms"], 1),
    limits: {
      ...(maxBodyBytes !== undefined && { maxBodyBytes }),
      ...(maxObjectBytes !== undefined && { maxObjectBytes }),
    },
    faults: { seed: integer("fault-seed", values["fault-seed"], 0, 2 ** 32 - 1), rules: faults },
    rateLimits: values["rate-limits"] ?? false,
    trialQuota: integer("trial-quota", values["trial-quota"], 0),
    allowedHosts: values["allow-host"] ?? [],
    signingKey: values["signing-key"] ?? env.PSAPI_EMULATOR_SIGNING_KEY,
    exposeControl: values["expose-control"] ?? false,
  };
  return {
    host: values.host ?? "127.0.0.1",
    port: integer("port", values.port ?? env.PORT, 0, 65535) ?? 4010,
    demoCredentials: clientId === undefined,
    emulator,
    ...(values.replay !== undefined && { replay: values.replay }),
  };
}

/**
 * What to say when the server cannot start: a busy port gets a hint to take another one.
 *
 * @param error - What `startServer` rejected with.
 * @param config - The host and port it tried.
 * @example
 * startFailure(Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" }), config)
 */
export function startFailure(error: unknown, config: Pick<ServerConfig, "host" | "port">): string {
  if ((error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE") {
    return (
      `psapi emulator: port ${config.port} on ${config.host} is in use (another emulator may be running there)\n` +
      "hint: pass --port 0 to take any free port, or --port <another>"
    );
  }
  return `psapi emulator: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Reads the `--replay` cassette into the emulator's options.
 *
 * @param config - The parsed flags; `emulator.replay` is set when `replay` names a cassette.
 * @returns what to say when the cassette is missing or not a psapi cassette (`CassetteFormatError`'s
 *   file, pointer and problem), else `undefined`.
 * @example
 * await loadReplay({ ...config, replay: "missing.har" }) // "psapi emulator: --replay missing.har: not a psapi cassette: (root) cannot be read (ENOENT)"
 */
export async function loadReplay(config: ServerConfig): Promise<string | undefined> {
  if (config.replay === undefined) return undefined;
  try {
    config.emulator.replay = await readCassette(config.replay);
    return undefined;
  } catch (error) {
    if (!(error instanceof CassetteFormatError)) throw error;
    return `psapi emulator: --replay ${error.file}: not a psapi cassette: ${error.pointer || "(root)"} ${error.problem}`;
  }
}

/**
 * The `psapi-emulator` program: parses `process.argv`, starts the server and prints where it
 * listens, until SIGINT or SIGTERM. Runs by itself when this module is the script
 * (`node dist/main.js`); the committed launcher `bin/psapi-emulator.js` calls it.
 *
 * @example
 * await main(); // as bin/psapi-emulator.js does
 */
export async function main(): Promise<void> {
  let config: MainConfig | "help";
  try {
    config = parseServerArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(
      `psapi emulator: ${(error as Error).message}\n\n${usage(commandName(process.argv, process.env))}`,
    );
    process.exitCode = 2;
    return;
  }
  if (config === "help") {
    console.log(usage(commandName(process.argv, process.env)));
    return;
  }
  if (config.record) {
    await record(config, config.record);
    return;
  }
  const refused = await loadReplay(config);
  if (refused) {
    console.error(refused);
    process.exitCode = 2;
    return;
  }
  let server: RunningServer;
  try {
    server = await startServer(config);
  } catch (error) {
    console.error(startFailure(error, config));
    process.exitCode = 1;
    return;
  }
  const client = config.emulator.clients?.[0] ?? DEMO_CLIENT;
  console.log(`psapi emulator listening on ${server.url}`);
  console.log(`  IMS token URL  ${server.url}/ims/token/v3`);
  const replayed = config.emulator.replay;
  if (replayed) {
    console.log(
      `  replaying      ${config.replay} (${replayed.har.log.entries.length} exchanges; anything else: 404 CassetteMissError)`,
    );
    console.log("  credentials    any: replayed token calls answer every client with a fresh token");
  } else {
    console.log(`  client id      ${client.clientId}`);
    console.log(`  client secret  ${config.demoCredentials ? client.clientSecret : "(as configured)"}`);
  }
  console.log(`  control API    ${server.url}/__emulator  (see apps/mock-server/README.md)`);
  console.log(`  inspector      ${server.url}/__emulator/ui  (open it in a browser)`);
  if (config.emulator.exposeControl) {
    console.warn(
      "psapi emulator: warning: --expose-control: the control API and the inspector (/__emulator) answer any client, with no authentication",
    );
  } else if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(config.host)) {
    console.warn(
      `psapi emulator: listening on ${config.host}, beyond loopback; the control API and the inspector still answer loopback clients only (--expose-control to change that)`,
    );
  }
  const shutdown = (signal: string) => {
    console.log(`psapi emulator: ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void server.close().then(() => clearTimeout(force));
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

/** `--record`: the recording proxy until SIGINT or SIGTERM, then the cassette written (exit 1 if refused). */
async function record(config: MainConfig, recording: RecordConfig): Promise<void> {
  let recorder: RunningRecorder;
  try {
    recorder = await startRecorder(recording, config, (line) => console.log(`  ${line}`));
  } catch (error) {
    if ((error as Error | undefined)?.name === "CassetteFormatError") {
      console.error(`psapi emulator: --record-missing: ${(error as Error).message}`);
      process.exitCode = 2;
      return;
    }
    console.error(startFailure(error, config));
    process.exitCode = 1;
    return;
  }
  for (const line of recorderBanner(recorder.url, recording)) console.log(line);
  const shutdown = (signal: string) => {
    console.log(`psapi emulator: ${signal}, writing ${recording.cassette}`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    void stopRecorder(recorder, console).then((code) => {
      clearTimeout(force);
      process.exitCode = code;
    });
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

/** Whether this module is the program: run directly, or through a symlinked bin (`psapi-emulator`). */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMain()) void main();
