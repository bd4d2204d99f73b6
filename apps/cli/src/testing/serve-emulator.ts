import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createEmulator, type EmulatorOptions } from "@psapi/mock-server";

/** An emulator listening on 127.0.0.1 for the duration of a test. */
export interface ServedEmulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request the emulator received, as `METHOD /path`. */
  readonly requests: string[];
  /** Resolves when a request whose `METHOD /path` starts with `prefix` arrives. */
  waitForRequest(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves a fresh emulator on 127.0.0.1 and a port the system picks, recording requests so that a
 * test can wait for a given call instead of sleeping.
 */
export async function serveEmulator(options: EmulatorOptions = {}): Promise<ServedEmulator> {
  const app = createEmulator(options);
  const requests: string[] = [];
  const waiters: { prefix: string; resolve: () => void }[] = [];
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request: Request) => {
      const line = `${request.method} ${new URL(request.url).pathname}`;
      requests.push(line);
      for (const waiter of waiters.filter((candidate) => line.startsWith(candidate.prefix))) {
        waiter.resolve();
        waiters.splice(waiters.indexOf(waiter), 1);
      }
      return app.fetch(request);
    },
  });
  if (!server.listening) await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitForRequest(prefix) {
      if (requests.some((line) => line.startsWith(prefix))) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ prefix, resolve }));
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
    },
  };
}
