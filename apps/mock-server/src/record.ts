// `psapi emulator --record`: the flags of the recording proxy and the program around it. The proxy
// itself is ./cassette/proxy.ts.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isLoopback } from "@psapi/core";
import { CassetteSecretError } from "./cassette/errors.js";
import { readCassette } from "./cassette/format.js";
import { createRecordingProxy, type RecordingProxy, SAVE_PATH, upstreamOrigin } from "./cassette/proxy.js";
import { listenEmulator } from "./server.js";

/** How to record, from `--record` and the flags that go with it. */
export interface RecordConfig {
  /** The cassette file (`.har`). */
  cassette: string;
  /** The API's origin. */
  upstream: string;
  /** IMS's origin (default: the API's). */
  imsUpstream: string;
  mode: "record" | "record-missing";
  /** Live secret values the cassette must not hold (from `--secret-env` and `PHOTOSHOP_CLIENT_SECRET`). */
  secrets: string[];
  /** The environment variables they came from, for the banner. */
  secretNames: string[];
  /** Largest body the proxy forwards; undefined: the proxy's default. */
  maxBodyBytes: number | undefined;
}

/** The flags only an emulator has: with `--record` nothing is emulated, so they would do nothing. */
export const EMULATOR_ONLY_FLAGS = [
  "client-id",
  "client-secret",
  "public-url",
  "job-pending-ms",
  "job-running-ms",
  "token-lifetime",
  "refresh-token-lifetime",
  "fetch-timeout-ms",
  "max-object-bytes",
  "fault",
  "fault-seed",
  "rate-limits",
  "trial-quota",
  "allow-host",
  "signing-key",
  "expose-control",
  "replay",
] as const;

/** The flags that mean something only with `--record`. */
const RECORD_ONLY_FLAGS = ["upstream", "ims-upstream", "record-missing", "secret-env"] as const;

/** The shortest secret the scan looks for (`@psapi/core`'s scrubber ignores shorter ones). */
const MIN_SECRET_LENGTH = 6;

/** The environment variable the CLI and SDK read the client secret from: always scanned for when set. */
const CLIENT_SECRET_ENV = "PHOTOSHOP_CLIENT_SECRET";

/**
 * Checks that the cassette can be written where it is asked for, before anything is recorded: a
 * `.har` file that is not a directory, under a directory that exists or can be made and is writable.
 */
function checkCassettePath(file: string): void {
  if (!/\.har$/i.test(file))
    throw new TypeError(`--record must name a .har file (got ${JSON.stringify(file)})`);
  const path = resolve(file);
  const writable = (target: string) => {
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new TypeError(`--record: ${target} is not writable`);
    }
  };
  if (existsSync(path)) {
    if (!statSync(path).isFile()) throw new TypeError(`--record: ${file} exists and is not a file`);
    writable(path);
    return;
  }
  let parent = dirname(path);
  while (!existsSync(parent)) parent = dirname(parent);
  if (!statSync(parent).isDirectory())
    throw new TypeError(`--record: ${file} cannot be created: ${parent} is not a directory`);
  writable(parent);
}

/**
 * Reads `--record` and its companions from parsed flags (`undefined` when `--record` is absent),
 * refusing what cannot work: `--record` without `--upstream` or the other way round, a URL that is
 * not an https origin (http on loopback only), an unwritable cassette, emulator-only flags, a host
 * beyond loopback, an unset or too short `--secret-env` variable.
 *
 * @param values - `parseArgs` values of the server's flags.
 * @param env - The environment (for `--secret-env` and `PHOTOSHOP_CLIENT_SECRET`).
 * @throws TypeError naming the flag to fix.
 * @example
 * recordConfig({ record: "rb.har", upstream: "https://image.adobe.io" }, {}) // { cassette: "rb.har", mode: "record", … }
 */
export function recordConfig(
  values: Readonly<Record<string, string | boolean | string[] | undefined>>,
  env: NodeJS.ProcessEnv,
): RecordConfig | undefined {
  const record = values.record;
  if (typeof record !== "string") {
    const stray = RECORD_ONLY_FLAGS.find((flag) => values[flag] !== undefined);
    if (stray) throw new TypeError(`--${stray} goes with --record <cassette.har>`);
    return undefined;
  }
  const emulatorFlag = EMULATOR_ONLY_FLAGS.find((flag) => values[flag] !== undefined);
  if (emulatorFlag)
    throw new TypeError(
      `--${emulatorFlag} is an emulator flag: with --record nothing is emulated, every request goes to --upstream`,
    );
  if (typeof values.upstream !== "string")
    throw new TypeError("--record needs --upstream <api-url>, e.g. --upstream https://image.adobe.io");
  const host = typeof values.host === "string" ? values.host : "127.0.0.1";
  if (!isLoopback(host))
    throw new TypeError(
      `--record serves on loopback only (127.0.0.1, ::1, localhost), not ${host}: it forwards live credentials`,
    );
  const upstream = upstreamOrigin("--upstream", values.upstream);
  const imsUpstream =
    typeof values["ims-upstream"] === "string"
      ? upstreamOrigin("--ims-upstream", values["ims-upstream"])
      : upstream;
  checkCassettePath(record);
  const secretNames: string[] = [];
  const secrets: string[] = [];
  for (const name of (values["secret-env"] as string[] | undefined) ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new TypeError(`--secret-env takes an environment variable's name (got ${JSON.stringify(name)})`);
    const value = env[name];
    if (!value) throw new TypeError(`--secret-env ${name}: the environment variable ${name} is not set`);
    if (value.length < MIN_SECRET_LENGTH)
      throw new TypeError(
        `--secret-env ${name}: its value is shorter than ${MIN_SECRET_LENGTH} characters, too short to scan for`,
      );
    secretNames.push(name);
    secrets.push(value);
  }
  const clientSecret = env[CLIENT_SECRET_ENV];
  if (clientSecret && clientSecret.length >= MIN_SECRET_LENGTH && !secretNames.includes(CLIENT_SECRET_ENV)) {
    secretNames.push(CLIENT_SECRET_ENV);
    secrets.push(clientSecret);
  }
  const maxText = values["max-body-bytes"];
  let maxBodyBytes: number | undefined;
  if (typeof maxText === "string") {
    maxBodyBytes = Number(maxText);
    if (!/^\d+$/.test(maxText) || maxBodyBytes < 1 || !Number.isSafeInteger(maxBodyBytes))
      throw new TypeError(`--max-body-bytes must be a positive integer (got ${JSON.stringify(maxText)})`);
  }
  return {
    cassette: record,
    upstream,
    imsUpstream,
    mode: values["record-missing"] ? "record-missing" : "record",
    secrets,
    secretNames,
    maxBodyBytes,
  };
}

/** A recording proxy listening on a port. */
export interface RunningRecorder {
  url: string;
  proxy: RecordingProxy;
  /** Stops serving (open connections dropped). */
  close(): Promise<void>;
}

/**
 * Serves a recording proxy (see {@link createRecordingProxy}) with the emulator's server settings.
 *
 * @throws CassetteFormatError when `record-missing` is asked of a cassette that cannot be read; rejects when the port cannot be bound.
 */
export async function startRecorder(
  config: RecordConfig,
  where: { host: string; port: number },
  onExchange?: (line: string) => void,
): Promise<RunningRecorder> {
  if (config.mode === "record-missing" && existsSync(config.cassette)) await readCassette(config.cassette);
  const proxy = createRecordingProxy({
    cassette: config.cassette,
    upstream: config.upstream,
    imsUpstream: config.imsUpstream,
    mode: config.mode,
    secrets: config.secrets,
    ...(config.maxBodyBytes !== undefined && { maxBodyBytes: config.maxBodyBytes }),
    ...(onExchange && { onExchange }),
  });
  const served = await listenEmulator(proxy.fetch, where);
  return { url: served.url, proxy, close: served.close };
}

/** The lines printed when the recorder listens (origins and names only: no secret, no query). */
export function recorderBanner(url: string, config: RecordConfig): string[] {
  return [
    `psapi emulator recording on ${url}`,
    `  API upstream   ${config.upstream}`,
    `  IMS upstream   ${config.imsUpstream}  (${url}/ims/token/v3 goes there)`,
    `  cassette       ${config.cassette}  (${config.mode}; written on Ctrl-C, SIGTERM or POST ${url}${SAVE_PATH})`,
    `  scanned for    ${config.secretNames.length > 0 ? config.secretNames.join(", ") : "the secrets seen in requests (pass --secret-env NAME for your client secret)"}`,
  ];
}

/**
 * Stops the recorder and writes its cassette.
 *
 * @returns the exit code: 0 when written (or nothing was recorded), 1 when the secret scan refused or the write failed.
 */
export async function stopRecorder(
  recorder: RunningRecorder,
  print: { log(line: string): void; error(line: string): void },
): Promise<number> {
  await recorder.close();
  const { proxy } = recorder;
  const count = proxy.entries().length;
  if (count === 0) {
    print.log(`psapi emulator: nothing was recorded; ${proxy.cassette} not written`);
    return 0;
  }
  try {
    await proxy.save();
  } catch (error) {
    if (error instanceof CassetteSecretError) {
      print.error(
        `psapi emulator: refusing to write ${proxy.cassette}: a live secret survived redaction at\n${error.locations.map((at) => `  ${at}`).join("\n")}\nnothing was written`,
      );
      return 1;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    print.error(`psapi emulator: could not write ${proxy.cassette} (${code ?? (error as Error).message})`);
    return 1;
  }
  print.log(`psapi emulator: wrote ${proxy.cassette} (${count} exchange${count === 1 ? "" : "s"})`);
  return 0;
}
