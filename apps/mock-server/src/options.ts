import { ADOBE_RATE_RULES, type RateRule } from "@psapi/core";
import type { components } from "@psapi/openapi-types/emulator";
import type { Cassette } from "./cassette/format.js";
import { ADOBE_SOURCE_DOMAINS } from "./current/source-url.js";
import type * as builtInImaging from "./imaging/index.js";
import type { DocumentManifest } from "./imaging/manifest-types.js";
import { type EmulatorClock, systemClock } from "./lib/clock.js";

/** One OAuth client the emulator's IMS knows. */
export interface EmulatorClient {
  /** Client id (also the `x-api-key` the gateway accepts with this client's tokens). */
  clientId: string;
  /** Client secret, compared in constant time. */
  clientSecret: string;
  /** Scopes this client may ask for. Default: {@link DEFAULT_ALLOWED_SCOPES}. */
  scopes?: readonly string[];
  /** SPKI PEM public key that verifies this client's RS256 JWTs at `POST /ims/exchange/jwt`. */
  jwtPublicKey?: string;
}

/** How long jobs spend in each state, in emulator milliseconds. */
export interface JobTiming {
  /** Time from submission until the job starts running. Default 200. */
  pendingMs: number;
  /** Least time a job stays `running`; it also waits for the real work to finish. Default 800. */
  runningMs: number;
}

/**
 * A fault rule as given at start or to `POST /__emulator/faults` (`FaultRuleInput` of
 * `openapi/emulator.yaml`): `route` is `"[METHOD ]/path/glob"` (default `"*"`), and at least one of
 * `status`, `reset` or `latencyMs` says what to do. The generator writes the spec's "at least one
 * of" as empty alternatives; they add nothing a caller can set, so they are left out here.
 */
export type FaultRuleInput = Exclude<components["schemas"]["FaultRuleInput"], Record<string, never>>;

/** A status fault the emulator can inject. */
export type FaultStatus = NonNullable<FaultRuleInput["status"]>;

/**
 * One sliding-window rate limit, counted per client (Adobe counts per org): `@psapi/core`'s
 * `RateRule`, the shape `@psapi/batch`'s limiters keep to as well.
 */
export type RateLimitRule = RateRule;

/** Caps that keep memory bounded. */
export interface EmulatorLimits {
  /** Largest JSON/form request body (bytes) before 413. Default 1 MiB. */
  maxBodyBytes: number;
  /** Largest stored object or downloaded input (bytes). Default 50 MiB. */
  maxObjectBytes: number;
  /** Total bytes the object store keeps before evicting least recently used objects. Default 512 MiB. */
  maxStoreBytes: number;
  /** Most objects kept. Default 1000. */
  maxObjects: number;
  /** Most jobs kept (oldest evicted first). Default 1000. */
  maxJobs: number;
  /**
   * Most bytes jobs hold: the kept jobs' request bodies (JSON characters; oldest evicted first) and
   * the inputs of current-contract jobs not yet run (read at the POST; a POST whose inputs would
   * pass it is refused with 429 and `retry-after`, unless nothing else is held). Default 64 MiB.
   */
  maxJobBytes: number;
  /** Most image computations running at once (a retired job downloads its input in its slot); the rest queue. Default 4. */
  maxConcurrentWork: number;
  /** Most journal entries kept. Default 1000. */
  maxJournalEntries: number;
}

/**
 * What the emulator needs from its image module (injectable so tests can count calls). The
 * current contract's operations are optional: the built-in ones stand in for any left out.
 */
export interface Imaging {
  computeMask(input: Uint8Array, options: { format: "soft" | "binary" }): Promise<Uint8Array>;
  computeCutout(input: Uint8Array): Promise<Uint8Array>;
  /** The v1 manifest of a PSD or image, which the retired and the v2 manifests are built from. */
  readDocumentManifest(input: Uint8Array, name: string): Promise<DocumentManifest>;
  removeBackground?: typeof builtInImaging.removeBackground;
  maskObjects?: typeof builtInImaging.maskObjects;
  maskBodyParts?: typeof builtInImaging.maskBodyParts;
  refineMask?: typeof builtInImaging.refineMask;
  fillMaskedAreas?: typeof builtInImaging.fillMaskedAreas;
}

/** Options of {@link createEmulator}; every field is optional. */
export interface EmulatorOptions {
  /** Known OAuth clients. Default: the demo client {@link DEMO_CLIENT}. */
  clients?: readonly EmulatorClient[];
  /** Origin used in `_links` and pre-signed URLs. Default: the origin of each request. */
  publicUrl?: string;
  /** Time source. Default: the real clock. */
  clock?: EmulatorClock;
  /** Access-token lifetime in seconds. Default 86399 (Adobe's). */
  tokenLifetimeSeconds?: number;
  /** Refresh-token lifetime in seconds. Default 14 days (Adobe's). */
  refreshTokenLifetimeSeconds?: number;
  /** Job timing. */
  jobs?: Partial<JobTiming>;
  /** Fault rules active from the start, and the PRNG seed for probabilistic ones. */
  faults?: { seed?: number; rules?: readonly FaultRuleInput[] };
  /** `true` for Adobe's documented per-org windows, or your own rules. Default off. */
  rateLimits?: boolean | readonly RateLimitRule[];
  /** Successful job submissions each client may make per 30-day period (from start or reset) before 402 `TrialLimitExceededError`. Default unlimited. */
  trialQuota?: number;
  /** HMAC key for pre-signed storage URLs. Default: random per instance. */
  signingKey?: string;
  /** Hosts (`host[:port]` or `*.domain`) jobs may download from or upload to over https. Default none. */
  allowedHosts?: readonly string[];
  /**
   * Storage domains the current contract's source URLs may name (a host is the domain or a
   * subdomain of it); the emulator's own storage is always allowed. Default: Adobe's list
   * (`amazonaws.com`, `windows.net`, `dropboxusercontent.com`, `assets.frame.io`,
   * `storage.googleapis.com`). To fetch from such a host the emulator also needs it in `allowedHosts`.
   */
  sourceDomains?: readonly string[];
  /** `fetch` used for allow-listed hosts. Default `globalThis.fetch`. */
  fetch?: (request: Request) => Promise<Response>;
  /** Deadline (emulator clock) for one download, answer and body, or upload to an allow-listed host. Default 30000 ms. */
  fetchTimeoutMs?: number;
  /** Memory and size caps. */
  limits?: Partial<EmulatorLimits>;
  /** The image module. Default: the built-in sharp/ag-psd implementation. */
  imaging?: Partial<Imaging>;
  /** Aborting it cancels every pending timer (graceful shutdown). */
  signal?: AbortSignal;
  /**
   * Serve the control API and the inspector (`/__emulator/ui`) to any peer and any Host, not just
   * loopback. Default `false`: they have no authentication.
   */
  exposeControl?: boolean;
  /**
   * How create-composite, create-artboard and execute-actions draw raster outputs. `strict` (default): a job whose
   * JPEG/PNG/TIFF output would need text, adjustment layers, layer effects or vector masks drawn
   * fails with `emulator_unsupported`. `approximate`: those are left out and each omission is
   * listed in the status's `result.additionalFields.emulator.warnings`. PSD outputs are the same
   * in both modes.
   */
  renderMode?: "strict" | "approximate";
  /**
   * A cassette (`readCassette` of `@psapi/mock-server/cassette`) to serve instead of the live API,
   * IMS and storage, offline, on this emulator's clock; the control API and the inspector stay
   * live (README, "Serving a cassette: --replay"). Default: none (the live emulator).
   */
  replay?: Cassette;
}

/** The demo credentials the emulator accepts out of the box (printed at start, given in the README). */
export const DEMO_CLIENT: EmulatorClient = Object.freeze({
  clientId: "psapi-demo-client",
  clientSecret: "psapi-demo-secret",
});

/** Scopes a client may request unless it lists its own: what Adobe's docs and SDKs ask for. */
export const DEFAULT_ALLOWED_SCOPES: readonly string[] = Object.freeze([
  "openid",
  "AdobeID",
  "read_organizations",
  "additional_info",
  "additional_info.projectedProductContext",
  "session",
  "profile",
  "email",
  "offline_access",
  "firefly_api",
  "ff_apis",
]);

const DEFAULT_LIMITS: EmulatorLimits = {
  maxBodyBytes: 1024 * 1024,
  maxObjectBytes: 50 * 1024 * 1024,
  maxStoreBytes: 512 * 1024 * 1024,
  maxObjects: 1000,
  maxJobs: 1000,
  maxJobBytes: 64 * 1024 * 1024,
  maxConcurrentWork: 4,
  maxJournalEntries: 1000,
};

/** Options after defaults and validation. */
export interface ResolvedOptions {
  clients: ReadonlyMap<string, EmulatorClient>;
  publicUrl: string | undefined;
  clock: EmulatorClock;
  tokenLifetimeMs: number;
  refreshTokenLifetimeMs: number;
  jobs: JobTiming;
  faultSeed: number;
  faultRules: readonly FaultRuleInput[];
  rateLimits: readonly RateLimitRule[];
  trialQuota: number | undefined;
  signingKey: string | undefined;
  allowedHosts: readonly string[];
  sourceDomains: readonly string[];
  fetch: (request: Request) => Promise<Response>;
  fetchTimeoutMs: number;
  limits: EmulatorLimits;
  signal: AbortSignal | undefined;
  exposeControl: boolean;
  renderMode: "strict" | "approximate";
}

function renderModeOf(mode: unknown): "strict" | "approximate" {
  if (mode === undefined) return "strict";
  if (mode !== "strict" && mode !== "approximate")
    fail(`renderMode must be "strict" or "approximate" (got ${JSON.stringify(mode)})`);
  return mode;
}

function fail(message: string): never {
  throw new TypeError(`[@psapi/mock-server] ${message}`);
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min)
    fail(`${name} must be an integer >= ${min} (got ${value})`);
  return value;
}

/**
 * Merges defaults into `options` once and validates them, naming the option to fix.
 *
 * @throws TypeError for any invalid option.
 */
export function resolveOptions(options: Omit<EmulatorOptions, "imaging">): ResolvedOptions {
  const clients = new Map<string, EmulatorClient>();
  for (const client of options.clients ?? [DEMO_CLIENT]) {
    if (!client.clientId || !client.clientSecret) fail("every client needs a clientId and a clientSecret");
    if (clients.has(client.clientId)) fail(`client ${client.clientId} is listed twice`);
    clients.set(client.clientId, client);
  }
  if (clients.size === 0) fail("clients must list at least one client");

  let publicUrl: string | undefined;
  if (options.publicUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.publicUrl);
    } catch {
      fail(`publicUrl must be an absolute http(s) URL (got ${options.publicUrl})`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") fail("publicUrl must use http or https");
    publicUrl = url.origin;
  }

  const limits: EmulatorLimits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(options.limits ?? {})) {
    if (!(name in DEFAULT_LIMITS)) fail(`unknown limit ${name}`);
    limits[name as keyof EmulatorLimits] = nonNegativeInt(`limits.${name}`, value, 0, 1);
  }

  const rateLimits =
    options.rateLimits === true
      ? ADOBE_RATE_RULES
      : options.rateLimits === false
        ? []
        : (options.rateLimits ?? []);
  for (const rule of rateLimits) {
    nonNegativeInt(`rateLimits ${rule.name} limit`, rule.limit, 1, 1);
    nonNegativeInt(`rateLimits ${rule.name} windowMs`, rule.windowMs, 1, 1);
  }
  if (options.signingKey !== undefined && options.signingKey.length < 16) {
    fail("signingKey must be at least 16 characters");
  }
  const allowedHosts = options.allowedHosts ?? [];
  for (const entry of allowedHosts) {
    // host[:port] or *.domain: a scheme, path or bare "*" would silently match nothing or everything.
    if (
      !/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i.test(entry) &&
      !/^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(entry)
    ) {
      fail(`allowedHosts entry ${JSON.stringify(entry)} must be host[:port] or *.domain`);
    }
  }
  const sourceDomains = (options.sourceDomains ?? ADOBE_SOURCE_DOMAINS).map((domain) => domain.toLowerCase());
  for (const domain of sourceDomains) {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(domain)) {
      fail(`sourceDomains entry ${JSON.stringify(domain)} must be a domain name such as amazonaws.com`);
    }
  }
  const defaultFetch = (request: Request) => globalThis.fetch(request);
  return {
    clients,
    publicUrl,
    clock: options.clock ?? systemClock,
    tokenLifetimeMs: nonNegativeInt("tokenLifetimeSeconds", options.tokenLifetimeSeconds, 86_399, 1) * 1000,
    refreshTokenLifetimeMs:
      nonNegativeInt("refreshTokenLifetimeSeconds", options.refreshTokenLifetimeSeconds, 14 * 86_400, 1) *
      1000,
    jobs: {
      pendingMs: nonNegativeInt("jobs.pendingMs", options.jobs?.pendingMs, 200),
      runningMs: nonNegativeInt("jobs.runningMs", options.jobs?.runningMs, 800),
    },
    faultSeed: nonNegativeInt("faults.seed", options.faults?.seed, 1),
    faultRules: options.faults?.rules ?? [],
    rateLimits,
    trialQuota:
      options.trialQuota === undefined ? undefined : nonNegativeInt("trialQuota", options.trialQuota, 0),
    signingKey: options.signingKey,
    allowedHosts,
    sourceDomains,
    fetch: options.fetch ?? defaultFetch,
    fetchTimeoutMs: nonNegativeInt("fetchTimeoutMs", options.fetchTimeoutMs, 30_000, 1),
    limits,
    signal: options.signal,
    exposeControl: options.exposeControl ?? false,
    renderMode: renderModeOf(options.renderMode),
  };
}
