import { createEmulator, type EmulatorOptions } from "@psapi/mock-server";
import { listenEmulator } from "@psapi/mock-server/server";

/** An emulator listening on 127.0.0.1 for the duration of a test. */
export interface ServedEmulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request the emulator received, as `METHOD /path`. */
  readonly requests: string[];
  /** Every answer, as the request's `METHOD /path` and the status, in the order they were given. */
  readonly answers: { request: string; status: number }[];
  /** Resolves when a request whose `METHOD /path` starts with `prefix` arrives. */
  waitForRequest(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves a fresh emulator on 127.0.0.1 and a port the system picks, with the emulator server's
 * own settings (`listenEmulator`: keep-alive 65 s, not Node's 5 s), recording requests so that a
 * test can wait for a given call instead of sleeping.
 */
export async function serveEmulator(options: EmulatorOptions = {}): Promise<ServedEmulator> {
  const app = createEmulator(options);
  const requests: string[] = [];
  const answers: { request: string; status: number }[] = [];
  const waiters: { prefix: string; resolve: () => void }[] = [];
  const served = await listenEmulator(async (request, env) => {
    const line = `${request.method} ${new URL(request.url).pathname}`;
    requests.push(line);
    for (const waiter of waiters.filter((candidate) => line.startsWith(candidate.prefix))) {
      waiter.resolve();
      waiters.splice(waiters.indexOf(waiter), 1);
    }
    // The Node bindings too, as the real server passes them (a reset fault destroys the socket).
    const response = await app.fetch(request, env);
    answers.push({ request: line, status: response.status });
    return response;
  });
  return {
    url: served.url,
    requests,
    answers,
    waitForRequest(prefix) {
      if (requests.some((line) => line.startsWith(prefix))) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ prefix, resolve }));
    },
    close: served.close,
  };
}
