import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { type CreateEmulatorOptions, createEmulator } from "./app.js";
import { answerProtocolErrors, requestErrorAnswer } from "./http/protocol-errors.js";

/** Where and how to serve the emulator, from flags and environment. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Whether the demo credentials are in use (then the secret may be printed). */
  demoCredentials: boolean;
  emulator: CreateEmulatorOptions;
  /** `--replay`: the cassette file to serve (read by the program into `emulator.replay`). */
  replay?: string;
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
