import { createEmulator, type EmulatorOptions } from "@psapi/mock-server";
import { listenEmulator } from "@psapi/mock-server/server";
import { type ConformanceChecker, createConformanceChecker, loadSpec, SPEC_NAMES } from "@psapi/openapi";

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
  /**
   * With `checkSpec`: once every answer so far has been checked, one line per way an answer broke
   * the spec (`""` when none did), and how many answers were checked. Without it: `""` and 0.
   */
  problems(): Promise<{ report: string; checked: number }>;
  /**
   * Stops the server; with `checkSpec`, then rejects when an answer broke the spec (with the report),
   * or when no answer was checked at all.
   */
  close(): Promise<void>;
}

/** How the test serves the emulator, beside the emulator's own options. */
export interface ServeOptions {
  /**
   * Check every answer against `@psapi/openapi`'s specs (the API's contracts, IMS, the emulator's
   * storage and control API) with its conformance checker, as `packages/tests`' environments do:
   * `problems()` lists the violations and `close()` rejects with them.
   */
  checkSpec?: boolean;
}

/** Compiled once per process: compiling every schema of the specs takes about a second. */
let checker: ConformanceChecker | undefined;
const specChecker = () => {
  checker ??= createConformanceChecker(SPEC_NAMES.map((name) => loadSpec(name)));
  return checker;
};

/**
 * Serves a fresh emulator on 127.0.0.1 and a port the system picks, with the emulator server's
 * own settings (`listenEmulator`: keep-alive 65 s, not Node's 5 s), recording requests so that a
 * test can wait for a given call instead of sleeping, and with `checkSpec` holding every answer
 * against the spec (the CLI runs in a subprocess, so its answers are checked where they are sent).
 *
 * @example
 * const emulator = await serveEmulator({ jobs: { pendingMs: 0, runningMs: 0 } }, { checkSpec: true });
 * await runCli(["edit", photo, "--exposure", "1", "--base-url", emulator.url], { env: DEMO });
 * await emulator.close(); // rejects when an answer broke the spec
 */
export async function serveEmulator(
  options: EmulatorOptions = {},
  serve: ServeOptions = {},
): Promise<ServedEmulator> {
  const app = createEmulator(options);
  const spec = serve.checkSpec ? specChecker() : undefined;
  const requests: string[] = [];
  const answers: { request: string; status: number }[] = [];
  const waiters: { prefix: string; resolve: () => void }[] = [];
  const violations: string[] = [];
  const pending = new Set<Promise<void>>();
  let checked = 0;
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
    if (spec) {
      // The check reads a copy in the background, so the CLI gets its answer as soon as without it.
      const check = spec
        .check({ method: request.method, url: request.url }, response.clone())
        .then((found) => {
          checked += 1;
          for (const v of found)
            violations.push(`${line} → ${v.status} (${v.operationId ?? "no operation"}): ${v.problem}`);
        })
        .catch((error: unknown) => {
          // A checker that cannot check is a finding too, never a silent pass.
          violations.push(
            `${line}: the checker failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        })
        .finally(() => pending.delete(check));
      pending.add(check);
    }
    return response;
  });
  const problems = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
    return { report: violations.join("\n"), checked };
  };
  return {
    url: served.url,
    requests,
    answers,
    waitForRequest(prefix) {
      if (requests.some((line) => line.startsWith(prefix))) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ prefix, resolve }));
    },
    problems,
    async close() {
      await served.close();
      if (!spec) return;
      const { report, checked } = await problems();
      if (report !== "") throw new Error(`answers of the emulator that break openapi/*.yaml:\n${report}`);
      // A test that meant to check answers and sent none checked nothing.
      if (checked === 0) throw new Error("no answer of the emulator was checked against the spec");
    },
  };
}
