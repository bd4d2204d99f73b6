import { createServerToServerAuth, type PhotoshopAuth } from "@psapi/auth";
import { createPhotoshopClient, type PhotoshopClient, type PhotoshopClientOptions } from "@psapi/client/all";
import { createFakeClock, type FakeClock } from "@psapi/core/testing";
import { createEmulator, type EmulatorOptions } from "@psapi/mock-server";
import { createEmulatorControl, type EmulatorControl } from "@psapi/mock-server/control";
import { listenEmulator } from "@psapi/mock-server/server";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { createConformanceChecker } from "../conformance/checker.js";
import { type GlobalFetchLike, type RecordingFetch, recordingFetch } from "../conformance/recording-fetch.js";
import { loadPsapiSpecs } from "../conformance/spec-documents.js";

/** The emulator's demo credentials (`DEMO_CLIENT` in `@psapi/mock-server`). */
export const DEMO_CREDENTIALS = { clientId: "psapi-demo-client", clientSecret: "psapi-demo-secret" } as const;

/** How the client reaches the emulator. */
export type Transport = "in-process" | "port";

/** Options of {@link createTestEnvironment}. */
export interface EnvironmentOptions {
  /** `in-process`: fetch is the app's own; `port`: a real server on 127.0.0.1, port 0. Default in-process. */
  transport?: Transport;
  /** Emulator options; `clock`, `publicUrl` and `signal` are set by the environment. */
  emulator?: Omit<EmulatorOptions, "clock" | "publicUrl" | "signal">;
  /** Client options; `auth`, `baseUrl`, `fetch`, `clock` and `random` are set by the environment. */
  client?: Omit<PhotoshopClientOptions, "auth" | "baseUrl" | "fetch" | "clock" | "random">;
  /** Builds the auth; default server-to-server with the demo credentials. */
  auth?: (context: AuthContext) => PhotoshopAuth;
  /**
   * Sits between the client (and auth) and the recorder, so it can change what the client sees
   * while the conformance check still sees what the emulator sent.
   */
  interpose?: (fetch: GlobalFetchLike, clock: FakeClock) => GlobalFetchLike;
}

/** A fresh emulator with a client and auth wired to it on one virtual clock. */
export interface TestEnvironment {
  readonly baseUrl: string;
  readonly clock: FakeClock;
  /** Records and checks every exchange of the client, auth and harness. */
  readonly recorder: RecordingFetch;
  /** The fetch the client and auth use (tracked by the clock, recorded, checked). */
  readonly fetch: GlobalFetchLike;
  readonly auth: PhotoshopAuth;
  readonly client: PhotoshopClient;
  readonly control: EmulatorControl;
  /** Checks that every response so far met the spec, then stops the server and the emulator's timers. */
  close(): Promise<void>;
}

/** Jitter fixed at the middle of its range, so that back-off waits are known numbers. */
export const FIXED_RANDOM = () => 0.5;

/** The checker every environment holds its responses against: every OpenAPI file psapi ships. */
export const PSAPI_CHECKER = createConformanceChecker(loadPsapiSpecs());

/** What an auth factory gets from the environment. */
export interface AuthContext {
  readonly baseUrl: string;
  readonly fetch: GlobalFetchLike;
  readonly clock: FakeClock;
}

/**
 * Server-to-server auth with the emulator's demo credentials, on the environment's fetch and the
 * clock's `"auth"` view: the default auth of every environment.
 *
 * @param context The environment's base URL, fetch and clock.
 * @param lifecycle Lifecycle options of the auth, e.g. `refreshAhead`.
 * @returns The auth.
 * @example
 * const auth = withApiKey(createDemoAuth(context), "not-a-client");
 */
export function createDemoAuth(
  { baseUrl, fetch, clock }: AuthContext,
  lifecycle: { refreshAhead?: number } = {},
): PhotoshopAuth {
  return createServerToServerAuth({
    ...lifecycle,
    ...DEMO_CREDENTIALS,
    imsUrl: baseUrl,
    fetch,
    clock: clock.view("auth"),
    random: FIXED_RANDOM,
  });
}
const IN_PROCESS_ORIGIN = "http://127.0.0.1:4010";

/**
 * Starts an emulator (in-process or on a real loopback port) and builds a recording, checking
 * fetch, server-to-server auth against the emulator's IMS, and a client, all on one virtual clock.
 *
 * @param options See {@link EnvironmentOptions}.
 * @returns The environment; call `close()` when done (`withEnvironment` and `useEnvironment` do).
 * @example
 * const env = await createTestEnvironment({ transport: "port" });
 * expect(await env.client.hello()).toBe("Welcome to the Photoshop API!");
 * await env.close();
 */
export async function createTestEnvironment(options: EnvironmentOptions = {}): Promise<TestEnvironment> {
  // Before virtual time skips ahead, the emulator finishes the image work it has started, so a
  // poller never outruns a job (advancing the clock by 0 waits for that work).
  let control: EmulatorControl | undefined;
  const clock = createFakeClock({
    start: Date.UTC(2026, 0, 1),
    autoAdvance: true,
    quiesce: async () => {
      await control?.advanceClock(0);
    },
  });
  const stop = new AbortController();
  let baseUrl = IN_PROCESS_ORIGIN;
  let closeServer = async () => {};
  let inner: GlobalFetchLike;
  const emulatorOptions = (publicUrl: string): EmulatorOptions => ({
    ...options.emulator,
    clock: clock.view("emulator", { server: true }),
    publicUrl,
    signal: stop.signal,
  });
  if (options.transport === "port") {
    const server = await listen((publicUrl) => createEmulator(emulatorOptions(publicUrl)));
    baseUrl = server.baseUrl;
    closeServer = server.close;
    inner = (input, init) => globalThis.fetch(input, init);
  } else {
    const app = createEmulator(emulatorOptions(baseUrl));
    inner = async (input, init) => app.fetch(new Request(input, init));
  }
  const recorder = recordingFetch(inner, { checker: PSAPI_CHECKER });
  const fetch = clock.track(options.interpose ? options.interpose(recorder.fetch, clock) : recorder.fetch);
  const auth = options.auth
    ? options.auth({ baseUrl, fetch, clock })
    : createDemoAuth({ baseUrl, fetch, clock });
  const client = createPhotoshopClient({
    ...options.client,
    auth,
    baseUrl,
    fetch,
    clock: clock.view("client"),
    random: FIXED_RANDOM,
  });
  const tracked = clock.track(recorder.fetch);
  control = createEmulatorControl({ baseUrl, fetch: (request) => tracked(request) });
  return {
    baseUrl,
    clock,
    recorder,
    fetch,
    auth,
    client,
    control,
    async close() {
      try {
        await recorder.untilChecked();
        expect(recorder.checked, "no response was checked against the spec").toBeGreaterThan(0);
        expect(recorder.report(), "responses that break openapi/*.yaml").toBe("");
      } finally {
        stop.abort();
        await closeServer();
      }
    },
  };
}

/**
 * Runs `work` in a fresh environment and closes it afterwards, which fails the test when a
 * response broke the spec.
 *
 * @param options See {@link EnvironmentOptions}.
 * @param work What to do with the environment.
 * @returns What `work` returns.
 * @example
 * await withEnvironment({ emulator: { trialQuota: 0 } }, async (env) => { ... });
 */
export async function withEnvironment<T>(
  options: EnvironmentOptions,
  work: (env: TestEnvironment) => Promise<T>,
): Promise<T> {
  const env = await createTestEnvironment(options);
  let result: T;
  try {
    result = await work(env);
  } catch (error) {
    // The test's own failure comes first; the conformance check still runs and cleans up.
    await env.close().catch(() => {});
    throw error;
  }
  await env.close();
  return result;
}

/**
 * An environment for the enclosing `describe`: a fresh one for every test (`per: "test"`, the
 * default), each test's responses checked against the spec after it; or one shared by all its
 * tests (`per: "describe"`), checked once at the end. A violation fails the test or the describe.
 *
 * @param options See {@link EnvironmentOptions}.
 * @param scope How long one environment lives.
 * @returns A getter for the current environment.
 * @example
 * const env = useEnvironment({ transport: "port" }, { per: "describe" });
 * it("says hello", async () => expect(await env().client.hello()).toBeTruthy());
 */
export function useEnvironment(
  options: EnvironmentOptions = {},
  scope: { per: "test" | "describe" } = { per: "test" },
): () => TestEnvironment {
  const [before, after] = scope.per === "test" ? [beforeEach, afterEach] : [beforeAll, afterAll];
  let current: TestEnvironment | undefined;
  before(async () => {
    current = await createTestEnvironment(options);
  });
  after(async () => {
    const env = current;
    current = undefined;
    await env?.close();
  });
  return () => {
    if (!current) throw new Error(`useEnvironment: no environment outside the ${scope.per}`);
    return current;
  };
}

interface Listening {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * Serves an app built for its own public URL on 127.0.0.1, port 0, with the emulator server's
 * settings (`listenEmulator`: keep-alive 65 s, protocol-error answers).
 */
async function listen(
  build: (publicUrl: string) => { fetch: (request: Request) => Response | Promise<Response> },
) {
  // The app needs its public URL, which is known only once the port is: route through a holder.
  let app: { fetch: (request: Request) => Response | Promise<Response> } | undefined;
  const served = await listenEmulator((request, env) =>
    app
      ? (app.fetch as (r: Request, e: unknown) => Response | Promise<Response>)(request, env)
      : new Response(null, { status: 503 }),
  );
  app = build(served.url);
  return { baseUrl: served.url, close: served.close } satisfies Listening;
}
