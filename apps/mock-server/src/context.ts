import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { CassetteEntry } from "./cassette/format.js";
import type { CassetteUse } from "./cassette/replayer.js";
import type { FaultTable } from "./control/faults.js";
import type { Journal } from "./control/journal.js";
import type { RateLimiter } from "./gateway/rate-limiter.js";
import type { TrialQuota } from "./gateway/trial-quota.js";
import type { TokenService } from "./ims/tokens.js";
import type { ChangeFeed } from "./inspector/change-feed.js";
import type { JobRunner } from "./jobs/jobs.js";
import type { EmulatorTime } from "./lib/clock.js";
import type { Imaging, ResolvedOptions } from "./options.js";
import type { AssetMover } from "./retired/assets.js";
import type { ObjectStore } from "./storage/object-store.js";
import type { UrlSigner } from "./storage/signing.js";

/** Where the emulator reports errors it did not expect (a bug, not a client mistake). */
export interface EmulatorLogger {
  error(message: string, details?: unknown): void;
}

/** Hono environment of the emulator app: node-server bindings (absent in-process) and per-request values. */
export interface EmulatorEnv {
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The client whose token the gateway accepted. */
    clientId: string;
    /** The fault injected into this request, for the journal. */
    fault: string;
  };
}

/** The Hono context type of every emulator handler. */
export type EmulatorContextType = Context<EmulatorEnv>;

/** A cassette a `--replay` emulator serves, as the inspector's Cassette page shows it. */
export interface ReplayState {
  /** The cassette's file (`cassette` when it was given in memory without one). */
  readonly file: string;
  readonly entries: readonly CassetteEntry[];
  /** How often an entry was served since start or the last reset. */
  played(entry: CassetteEntry): number;
  /** Every entry with how often it was served, and those never served (`GET /__emulator/cassette`). */
  use(): CassetteUse;
  /** Forgets what was served (part of `POST /__emulator/reset`). */
  reset(): void;
}

/** The state and services of one emulator instance, shared by its routers and middleware. */
export interface EmulatorContext {
  options: ResolvedOptions;
  /** The image module, the built-in operations standing in for any the options left out. */
  imaging: Required<Imaging>;
  logger: EmulatorLogger | undefined;
  time: EmulatorTime;
  tokens: TokenService;
  store: ObjectStore;
  signer: UrlSigner;
  assets: AssetMover;
  jobs: JobRunner;
  faults: FaultTable;
  rateLimiter: RateLimiter;
  journal: Journal;
  /** Successful job submissions per client and period (trial quota). */
  quota: TrialQuota;
  /** Tells the inspector's event streams what changed. */
  changes: ChangeFeed;
  /** Signal cancelling timers; renewed by reset. */
  timerSignal(): AbortSignal;
  /**
   * Hides every secret the emulator knows by value (client secrets, its signing key, the newest
   * tokens and codes it issued) in a text, in any spelling (`createSecretScrubber` of @psapi/core).
   */
  scrub(text: string): string;
  /** The cassette served instead of the live API (`replay` option), if any. */
  replay?: ReplayState;
  /** Back to a fresh state (same options). */
  reset(): void;
}

/** The origin `_links` and pre-signed URLs use: `publicUrl`, else the request's own. */
export function publicOrigin(ctx: EmulatorContext, c: EmulatorContextType): string {
  return ctx.options.publicUrl ?? new URL(c.req.url).origin;
}

/** Every origin under which this request reached the emulator (own-storage detection for jobs). */
export function ownOrigins(ctx: EmulatorContext, c: EmulatorContextType): ReadonlySet<string> {
  const origins = new Set([new URL(c.req.url).origin]);
  if (ctx.options.publicUrl) origins.add(ctx.options.publicUrl);
  return origins;
}
