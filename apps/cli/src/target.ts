import {
  authFromEnv,
  createServerToServerAuth,
  DEFAULT_IMS_URL,
  hasEnvCredentials,
  type PhotoshopAuth,
  type TokenStore,
} from "@psapi/auth";
import type { RateLimiter } from "@psapi/batch";
import {
  createPhotoshopClient,
  DEFAULT_BASE_URL,
  type FetchLike,
  isAdobeHost,
  type PhotoshopClient,
} from "@psapi/client/all";
import { isLoopback, type SecretRegistry } from "@psapi/core";
import { CliError, problemOf, usageError } from "./cli-error.js";
import type { CliContext } from "./context.js";
import { createEmulatorStorage, type EmulatorStorage } from "./emulator-storage.js";
import { ExitCode } from "./exit-codes.js";
import { type TrackedFetch, trackFetch } from "./tracked-fetch.js";
import { parseUrlArgument } from "./validate.js";

/** The origin the embedded emulator answers as; no socket is opened, every request stays in-process. */
const EMBEDDED_ORIGIN = "http://127.0.0.1:4010";

/** The hint for every credential problem: which variables to set. */
export const CREDENTIALS_HINT =
  "set PHOTOSHOP_CLIENT_ID and PHOTOSHOP_CLIENT_SECRET (or PHOTOSHOP_ACCESS_TOKEN with PHOTOSHOP_CLIENT_ID); " +
  "a local emulator accepts psapi-demo-client / psapi-demo-secret";

/** Where one of the target's origins came from, so that a hint can name what to fix. */
export interface OriginSource {
  /** The host (`127.0.0.1:4010`, `image.adobe.io`). */
  readonly host: string;
  /** `--base-url`, `PHOTOSHOP_API_URL`, `PHOTOSHOP_IMS_URL`, or which default. */
  readonly from: string;
}

/** Where a command sends its calls, and what it needs to make them. */
export interface Target {
  /** `adobe`: image.adobe.io; `remote`: another base URL (a running emulator); `embedded`: in-process. */
  readonly kind: "adobe" | "remote" | "embedded";
  /** The first line of every command: which target it uses. */
  readonly description: string;
  /** The API's base URL; job URLs must share its origin. */
  readonly baseUrl: URL;
  readonly auth: PhotoshopAuth;
  readonly client: PhotoshopClient;
  /** The emulator's storage (uploads, downloads); `undefined` for Adobe, which has none. */
  readonly storage: EmulatorStorage | undefined;
  /** The fetch every call goes through, which remembers the host of a failed connection. */
  readonly network: TrackedFetch;
  /** Where the API's and IMS's origins came from (the IMS host is unknown until a token is asked for). */
  readonly sources: { readonly api: OriginSource; readonly ims: OriginSource | undefined };
}

/**
 * The command that looks at a job later, for hints. `psapi status` sends the token only to the
 * target's origin, so a job on another base URL than Adobe's needs `--base-url` with it.
 *
 * @param statusUrl - The job's status URL.
 * @param target - Where the job runs.
 * @returns The command line, or `undefined` on the embedded emulator, whose jobs end with psapi.
 * @example
 * laterStatusCommand(job.statusUrl, target) // "psapi status http://127.0.0.1:4010/sensei/status/… --base-url http://127.0.0.1:4010"
 */
export function laterStatusCommand(statusUrl: string, target: Target | undefined): string | undefined {
  if (target?.kind === "embedded") return undefined;
  const baseUrl = target?.kind === "remote" ? ` --base-url ${target.baseUrl.href.replace(/\/$/, "")}` : "";
  return `psapi status ${statusUrl}${baseUrl}`;
}

/** What picks the target. */
export interface TargetOptions {
  /** `--base-url`; `PHOTOSHOP_API_URL` when not given. */
  baseUrl?: URL | undefined;
  /** Stay on the embedded emulator even when credentials are set (the quickstart). */
  offline?: boolean;
  /**
   * The limiter every API request of the client waits for a slot of (`psapi batch`, `psapi worker`),
   * chosen by the kind of target; none when it returns `undefined`.
   */
  rateLimiter?: ((kind: Target["kind"], clientId: string) => RateLimiter | undefined) | undefined;
  /** Where tokens are cached: a store shared by a fleet (Redis). Default the auth's own memory. */
  tokenStore?: TokenStore | undefined;
  /** Room in the embedded emulator for this many jobs, with their input and output objects (`psapi batch`). */
  capacity?: number | undefined;
}

/**
 * The client of a target: the API calls go through the rate limiter when there is one. Its own
 * timeout is then off, since it would count the wait for a slot; the limited fetch times the request.
 */
async function clientFor(
  auth: PhotoshopAuth,
  baseUrl: string,
  fetch: FetchLike,
  limiter: RateLimiter | undefined,
): Promise<PhotoshopClient> {
  if (limiter === undefined) return createPhotoshopClient({ auth, baseUrl, fetch });
  const { createRateLimitedFetch } = await import("@psapi/batch");
  return createPhotoshopClient({
    auth,
    baseUrl,
    fetch: createRateLimitedFetch({ fetch, limiter }),
    timeoutMs: 0,
  });
}

/**
 * Picks and opens the target of a command:
 * - a base URL (`--base-url` or `PHOTOSHOP_API_URL`) → that URL, with credentials from the
 *   environment; IMS defaults to the same origin when it is on this machine (a local emulator);
 * - otherwise credentials in the environment → Adobe;
 * - otherwise → an emulator started in this process, with its demo client.
 *
 * @param context - The environment and the Ctrl-C signal.
 * @param options - See {@link TargetOptions}.
 * @throws {CliError} (usage) When `PHOTOSHOP_API_URL` is not a valid URL; (auth) when a base URL is
 *   given without credentials, or the credentials are incomplete.
 * @example
 * const target = await openTarget(context, { baseUrl: new URL("http://127.0.0.1:4010") });
 */
export async function openTarget(
  context: CliContext,
  options: TargetOptions,
  secrets?: SecretRegistry,
): Promise<Target> {
  const baseUrl = options.baseUrl ?? environmentBaseUrl(context.env);
  const apiFrom = options.baseUrl
    ? "--base-url"
    : baseUrl
      ? "PHOTOSHOP_API_URL"
      : "the default (Adobe's API)";
  // Any credential variable auth reads means "call Adobe" (unless a base URL says otherwise).
  const hasCredentials = hasEnvCredentials(context.env);
  if (baseUrl === undefined && (!hasCredentials || options.offline)) {
    return openEmbeddedEmulator(hasCredentials, options, context.signal, secrets);
  }
  const url = baseUrl ?? new URL(DEFAULT_BASE_URL);
  if (!hasCredentials) {
    throw new CliError(`${url.origin} needs credentials, and none are set`, {
      exitCode: ExitCode.auth,
      hint: CREDENTIALS_HINT,
    });
  }
  const network = trackFetch(globalThis.fetch, context.signal);
  const env = { ...context.env };
  // No real IMS runs on this machine: a loopback target is an emulator, which serves IMS itself.
  let imsFrom = env.PHOTOSHOP_IMS_URL ? "PHOTOSHOP_IMS_URL" : "the default (Adobe's IMS)";
  if (isLoopback(url) && !env.PHOTOSHOP_IMS_URL) {
    env.PHOTOSHOP_IMS_URL = url.origin;
    imsFrom = `${apiFrom} (a local emulator serves IMS too)`;
  }
  let auth: PhotoshopAuth;
  try {
    auth = authFromEnv(env, {
      fetch: network.fetch,
      ...(options.tokenStore !== undefined && { store: options.tokenStore }),
      ...(secrets && { onSecret: secrets.add }),
    });
  } catch (error) {
    const message = problemOf(error) ?? (error instanceof Error ? error.message : String(error));
    throw new CliError(message, { exitCode: ExitCode.auth, hint: CREDENTIALS_HINT, cause: error });
  }
  const isAdobe = isAdobeHost(url);
  return {
    kind: isAdobe ? "adobe" : "remote",
    description: isAdobe
      ? `Adobe Photoshop API (${url.origin})`
      : `${url.origin}${url.pathname.replace(/\/$/, "")}`,
    baseUrl: url,
    auth,
    client: await clientFor(
      auth,
      url.href.replace(/\/$/, ""),
      network.fetch,
      options.rateLimiter?.(isAdobe ? "adobe" : "remote", auth.clientId),
    ),
    storage: isAdobe ? undefined : createEmulatorStorage({ origin: url.origin, fetch: network.fetch }),
    network,
    sources: {
      api: { host: url.host, from: apiFrom },
      ims: imsHost(env.PHOTOSHOP_IMS_URL, imsFrom),
    },
  };
}

/** The IMS host and where it came from; `undefined` when the value is not a URL (auth refuses it). */
function imsHost(value: string | undefined, from: string): OriginSource | undefined {
  try {
    return { host: new URL(value ?? DEFAULT_IMS_URL).host, from };
  } catch {
    return undefined; // auth has refused it already, with its own message
  }
}

function environmentBaseUrl(env: CliContext["env"]): URL | undefined {
  const value = env.PHOTOSHOP_API_URL;
  if (!value) return undefined;
  try {
    return parseUrlArgument(value);
  } catch (error) {
    throw usageError(`PHOTOSHOP_API_URL is invalid: ${(error as Error).message}`, "unset it, or fix it");
  }
}

/**
 * The client the embedded emulator is started with: the same pair as a served emulator's demo
 * client, so the quickstart's narration and the README read the same either way.
 */
const EMBEDDED_CLIENT = { clientId: "psapi-demo-client", clientSecret: "psapi-demo-secret" } as const;

async function openEmbeddedEmulator(
  credentialsIgnored: boolean,
  options: TargetOptions,
  signal: AbortSignal,
  secrets: SecretRegistry | undefined,
): Promise<Target> {
  // The emulator (image codecs, the spec's validators) takes about a second to load: it is loaded on
  // the first request, so that a command refused before it sends anything (an https input, a status
  // lookup, a bad --out) answers at once. Calls to Adobe or a running emulator never load it.
  let app: Promise<{ fetch(request: Request): Response | Promise<Response> }> | undefined;
  const emulator = () =>
    (app ??= import("@psapi/mock-server").then(({ createEmulator }) =>
      createEmulator({
        clients: [EMBEDDED_CLIENT],
        // Each job keeps its record, its input and its output object until the run ends.
        ...(options.capacity !== undefined && {
          limits: {
            maxJobs: Math.max(1000, options.capacity),
            maxObjects: Math.max(1000, 3 * options.capacity),
            maxJournalEntries: 1000,
          },
        }),
      }),
    ));
  const network = trackFetch(
    async (input, init) => (await emulator()).fetch(new Request(input, init)),
    signal,
  );
  const baseUrl = new URL(EMBEDDED_ORIGIN);
  const auth = createServerToServerAuth({
    ...EMBEDDED_CLIENT,
    imsUrl: baseUrl.origin,
    fetch: network.fetch,
    // The demo secret is public (the hints name it); the tokens the emulator issues are kept out.
    onSecret: (secret) => {
      if (secret !== EMBEDDED_CLIENT.clientSecret) secrets?.add(secret);
    },
  });
  return {
    kind: "embedded",
    description: credentialsIgnored
      ? "embedded emulator (offline; the credentials in the environment are not used)"
      : "embedded emulator",
    baseUrl,
    auth,
    client: await clientFor(
      auth,
      baseUrl.origin,
      network.fetch,
      options.rateLimiter?.("embedded", auth.clientId),
    ),
    storage: createEmulatorStorage({ origin: baseUrl.origin, fetch: network.fetch }),
    network,
    sources: {
      api: { host: baseUrl.host, from: "the embedded emulator" },
      ims: { host: baseUrl.host, from: "the embedded emulator" },
    },
  };
}
