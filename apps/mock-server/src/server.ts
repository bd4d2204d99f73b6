#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { getRequestListener } from "@hono/node-server";
import { type CreateEmulatorOptions, createEmulator } from "./app.js";
import { answerProtocolErrors, requestErrorAnswer } from "./http/protocol-errors.js";
import { DEMO_CLIENT, type FaultRuleInput } from "./options.js";

/** Where and how to serve the emulator, from flags and environment. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Whether the demo credentials are in use (then the secret may be printed). */
  demoCredentials: boolean;
  emulator: CreateEmulatorOptions;
}

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
  const script = argv[1] ?? "server.js";
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
  --help                 show this help`;

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
export function parseServerArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig | "help" {
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
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
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
  };
}

/**
 * An HTTP server for an emulator app (not yet listening): @hono/node-server's request listener,
 * plus JSON answers for what never reaches the app: requests Node's parser refuses (400, or 431 for
 * oversized headers, without a reset), `CONNECT` (405), and requests that are no URL (`OPTIONS *`,
 * a backslash in the path, a bad Host: 400).
 *
 * @param fetch - the app's `fetch` (its second argument carries the Node request and response).
 * @param hostname - the host name the listener puts into request URLs.
 * @returns the server; call `listen()`.
 * @example
 * const server = createEmulatorServer(createEmulator().fetch);
 * server.listen(0, "127.0.0.1");
 */
export function createEmulatorServer(
  fetch: (request: Request, env: never) => Response | Promise<Response>,
  hostname?: string,
): Server {
  const server = createServer(
    getRequestListener(fetch as (request: Request) => Response | Promise<Response>, {
      hostname,
      errorHandler: requestErrorAnswer,
    }),
  );
  answerProtocolErrors(server);
  // An idle keep-alive connection stays open 65 s, as behind the load balancers in front of real
  // APIs, not Node's 5 s. A client drops idle connections on its own timer (undici: 4 s); on a busy
  // machine that timer fires late, and a server closing at 5 s raced the client's next request on
  // the same connection, which then failed with ECONNRESET (seen under a loaded suite).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000; // longer than keepAliveTimeout, as Node asks
  return server;
}

/** A running emulator server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** Stops accepting connections, cancels timers and resolves once closed. */
  close(): Promise<void>;
}

/** A listening {@link createEmulatorServer} server (see {@link listenEmulator}). */
export interface ListeningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The Node server, for what the URL does not say (its address, its settings). */
  server: Server;
  /** Stops accepting connections, drops open ones (idle keep-alive included) and resolves once closed. */
  close(): Promise<void>;
}

/**
 * Serves an emulator app on a real port with the emulator's server settings (keep-alive 65 s,
 * protocol-error answers: {@link createEmulatorServer}): what `startServer` and every test or
 * benchmark that needs a real port use, so that no emulator in the tree runs with Node's defaults.
 *
 * @param fetch - the app's `fetch` (or a wrapper of it, e.g. one that records requests).
 * @param where - address and port; default `127.0.0.1`, port 0 (the system picks).
 * @returns once listening; rejects when the port cannot be bound.
 * @example
 * const app = createEmulator();
 * const served = await listenEmulator(app.fetch);
 * await fetch(`${served.url}/__emulator/clock`);
 * await served.close();
 */
export function listenEmulator(
  fetch: (request: Request, env: never) => Response | Promise<Response>,
  where: { host?: string; port?: number } = {},
): Promise<ListeningEmulator> {
  const { host = "127.0.0.1", port = 0 } = where;
  const server = createEmulatorServer(fetch, host);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const info = server.address() as AddressInfo;
      const address = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${address}:${info.port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            // Resolves on a second call too (then close() reports "not running", which is fine).
            server.close(() => done());
            // Keep-alive sockets would hold close() open; nothing is in flight that matters on shutdown.
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * Serves an emulator with @hono/node-server.
 *
 * @throws TypeError for invalid emulator options; rejects when the port cannot be bound.
 * @example
 * const server = await startServer({ host: "127.0.0.1", port: 0, demoCredentials: true, emulator: {} });
 * await server.close();
 */
export function startServer(config: ServerConfig): Promise<RunningServer> {
  const stop = new AbortController();
  const app = createEmulator({
    logger: { error: (message, details) => console.error(message, details) },
    ...config.emulator,
    signal: stop.signal,
  });
  return listenEmulator(app.fetch, { host: config.host, port: config.port }).then(
    ({ url, close }) => ({
      url,
      close: () => {
        stop.abort();
        return close();
      },
    }),
    (error: unknown) => {
      stop.abort();
      throw error;
    },
  );
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
 * The `psapi-emulator` program: parses `process.argv`, starts the server and prints where it
 * listens, until SIGINT or SIGTERM. Runs by itself when this module is the script
 * (`node dist/server.js`); the committed launcher `bin/psapi-emulator.js` calls it.
 *
 * @example
 * await main(); // as bin/psapi-emulator.js does
 */
export async function main(): Promise<void> {
  let config: ServerConfig | "help";
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
  console.log(`  client id      ${client.clientId}`);
  console.log(`  client secret  ${config.demoCredentials ? client.clientSecret : "(as configured)"}`);
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
