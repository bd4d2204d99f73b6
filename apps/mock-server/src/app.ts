import { createSecretScrubber, redactText } from "@psapi/core";
import { Hono } from "hono";
import { createReplayMiddleware } from "./cassette/replay-router.js";
import type { EmulatorContext, EmulatorEnv, EmulatorLogger } from "./context.js";
import { createFaultMiddleware } from "./control/fault-middleware.js";
import { FaultTable } from "./control/faults.js";
import { createControlGuard } from "./control/guard.js";
import { createInspectorControlRoutes } from "./control/inspector-routes.js";
import { Journal } from "./control/journal.js";
import { createJournalMiddleware } from "./control/journal-middleware.js";
import { createControlRouter } from "./control/router.js";
import { createPresignRoute } from "./control/storage-routes.js";
import { createMaskingRouter } from "./current/masking-router.js";
import { createV2Router } from "./current/v2-router.js";
import { RateLimiter } from "./gateway/rate-limiter.js";
import { TrialQuota } from "./gateway/trial-quota.js";
import { createBodyLimitMiddleware } from "./http/body-limit.js";
import { resourceNotFound } from "./http/errors.js";
import { createAllowedMethods, methodNotAllowed } from "./http/method-not-allowed.js";
import { createErrorRenderer } from "./http/render-error.js";
import { createAnswerScrubber, createRequestScrubber } from "./http/scrub-answers.js";
import * as builtInImaging from "./imaging/index.js";
import { createImsRouter } from "./ims/router.js";
import { TokenService } from "./ims/tokens.js";
import { ChangeFeed } from "./inspector/change-feed.js";
import { createReferenceRouter } from "./inspector/reference.js";
import { createInspectorRouter } from "./inspector/router.js";
import { JobRunner } from "./jobs/jobs.js";
import { EmulatorTime } from "./lib/clock.js";
import { createAddressGuard } from "./lib/net-guard.js";
import { type EmulatorOptions, type Imaging, resolveOptions } from "./options.js";
import { AssetMover } from "./retired/assets.js";
import { createPieRouter } from "./retired/pie-router.js";
import { createSenseiRouter } from "./retired/sensei-router.js";
import { ObjectStore } from "./storage/object-store.js";
import { createStorageRouter } from "./storage/router.js";
import { OBJECTS_PATH, UrlSigner } from "./storage/signing.js";

/** Options of {@link createEmulator}, plus where unexpected errors are reported. */
export interface CreateEmulatorOptions extends EmulatorOptions {
  /** Receives errors the emulator did not expect (bugs). Default: none. */
  logger?: EmulatorLogger;
}

/** Routes that fault injection applies to (never the control API, so faults can always be cleared). */
const FAULTABLE = ["/ims/", "/pie/", "/sensei/", "/v1/", "/v2/", OBJECTS_PATH];

/**
 * Creates an emulator of Adobe's Photoshop API and IMS: a Hono app with its own fresh state
 * (tokens, jobs, objects, journal, faults), usable in-process through `app.request()` /
 * `app.fetch`, or served with `@hono/node-server` (see `server.ts`). Nothing is shared between
 * two apps.
 *
 * @param options - clients, clock, timing, faults, limits; every field optional.
 * @returns the Hono app.
 * @throws TypeError naming the option to fix when an option is invalid.
 * @example
 * const app = createEmulator({ jobs: { pendingMs: 0, runningMs: 0 } });
 * const res = await app.request("/ims/token/v3", {
 *   method: "POST",
 *   body: new URLSearchParams({ grant_type: "client_credentials", client_id: "psapi-demo-client", client_secret: "psapi-demo-secret" }),
 * });
 * @see `@psapi/openapi` photoshop.yaml, photoshop-current.yaml and ims.yaml (the routes it serves) and
 *   emulator.yaml (its control API).
 */
export function createEmulator(options: CreateEmulatorOptions = {}): Hono<EmulatorEnv> {
  const resolved = resolveOptions(options);
  const time = new EmulatorTime(resolved.clock);
  const store = new ObjectStore(resolved.limits);
  const signer = new UrlSigner(resolved.signingKey);
  // One controller per generation of timers: reset aborts it and starts a new one; the caller's
  // signal (shutdown) aborts whichever is current. One listener, not one composite signal per timer.
  let timers = new AbortController();
  const timerSignal = () => timers.signal;
  resolved.signal?.addEventListener("abort", () => timers.abort(), { once: true });
  if (resolved.signal?.aborted) timers.abort();
  const assets = new AssetMover({
    store,
    signer,
    time,
    allowedHosts: resolved.allowedHosts,
    fetch: resolved.fetch,
    fetchTimeoutMs: resolved.fetchTimeoutMs,
    maxObjectBytes: resolved.limits.maxObjectBytes,
    // An injected fetch owns its transport (tests, proxies); the real network gets the DNS check.
    guardAddress: options.fetch ? undefined : createAddressGuard(),
  });
  const imaging: Required<Imaging> = { ...builtInImaging, ...options.imaging };
  const changes = new ChangeFeed();
  const configured = [
    ...[...resolved.clients.values()].map((client) => client.clientSecret),
    resolved.signingKey,
  ];
  // Rebuilt only when the tokens issued change (a new token or a reset), not per use.
  let scrubber = { version: -1, scrub: (text: string) => text };
  const scrub = (text: string) => {
    const version = ctx.tokens.issuedSecretsVersion;
    if (version !== scrubber.version) {
      scrubber = { version, scrub: createSecretScrubber([...configured, ...ctx.tokens.issuedSecrets()]) };
    }
    return scrubber.scrub(text);
  };
  const logger = options.logger && scrubbedLogger(options.logger, scrub);
  const ctx: EmulatorContext = {
    options: resolved,
    imaging,
    logger,
    time,
    tokens: new TokenService(time),
    store,
    signer,
    assets,
    jobs: new JobRunner({
      time,
      timing: resolved.jobs,
      assets,
      imaging,
      maxJobs: resolved.limits.maxJobs,
      maxJobBytes: resolved.limits.maxJobBytes,
      maxConcurrentWork: resolved.limits.maxConcurrentWork,
      signal: timerSignal,
      onChange: () => changes.notify("jobs"),
    }),
    faults: new FaultTable(resolved.faultSeed, resolved.faultRules),
    rateLimiter: new RateLimiter(resolved.rateLimits),
    journal: new Journal(resolved.limits.maxJournalEntries, scrub),
    quota: new TrialQuota(resolved.trialQuota, time),
    changes,
    timerSignal,
    scrub,
    reset() {
      // The redactor of the tokens issued before goes with them.
      scrubber = { version: -1, scrub: (text: string) => text };
      timers.abort();
      timers = new AbortController();
      if (resolved.signal?.aborted) timers.abort();
      ctx.time.reset();
      ctx.tokens.reset();
      ctx.store.clear();
      ctx.jobs.reset();
      ctx.faults.reset();
      ctx.rateLimiter.reset();
      ctx.journal.clear();
      ctx.quota.reset();
      ctx.replay?.reset();
    },
  };
  const replay = options.replay && createReplayMiddleware(ctx, options.replay);
  if (replay) ctx.replay = replay.state;

  const app = new Hono<EmulatorEnv>();
  const renderError = createErrorRenderer(logger, scrub);
  const journal = createJournalMiddleware(ctx, renderError);
  const faults = createFaultMiddleware(ctx);
  // What every request goes through, in one middleware rather than one per step (each layer costs
  // every request a dispatch): the journal records it, faults strike on the faultable routes, and
  // jobs move on (so an injected clock needs no timers to drive them).
  app.use("*", function frontDoor(c, next) {
    const advance = () => {
      ctx.jobs.tick();
      return next();
    };
    if (!FAULTABLE.some((prefix) => c.req.path.startsWith(prefix))) return journal(c, advance);
    // The fault middleware ends in next() or a throw, so its promise carries no Response.
    return journal(c, () => faults(c, advance) as Promise<void>);
  });
  // Only requests that can carry a body go through the body limit.
  const limitBody = createBodyLimitMiddleware(resolved.limits);
  app.on(["POST", "PUT", "PATCH", "DELETE"], "*", limitBody);
  // A replaying emulator reads the body of any method but GET and HEAD (a recorded OPTIONS too):
  // those are held to the limit as well, not buffered whole.
  if (replay)
    app.use("*", (c, next) =>
      /^(GET|HEAD|POST|PUT|PATCH|DELETE)$/.test(c.req.method) ? next() : limitBody(c, next),
    );
  // The API's requests and answers: no configured or issued secret is stored or echoed, whatever
  // field a client put it in (IMS is left out: its answers issue credentials).
  for (const prefix of ["/pie/*", "/sensei/*", "/v1/*", "/v2/*"]) {
    app.use(prefix, createAnswerScrubber(scrub, { anyMethod: true }), createRequestScrubber(scrub));
  }
  if (replay) {
    // Replaying: the cassette answers everything but the control API (storage included).
    app.use("/__emulator/*", createControlGuard(ctx));
    app.use("/__emulator/*", createAnswerScrubber(scrub));
    app.use("*", replay.middleware);
    // Token calls the cassette lacks (it never holds tokens) are the live IMS's.
    app.route("/ims", createImsRouter(ctx));
  } else {
    app.route("/ims", createImsRouter(ctx));
    app.route("/pie/psdService", createPieRouter(ctx));
    app.route("/sensei", createSenseiRouter(ctx));
    app.route("/v2", createV2Router(ctx));
    app.route("/v1", createMaskingRouter(ctx));
    app.use("/__emulator/*", createControlGuard(ctx));
    app.use("/__emulator/*", createAnswerScrubber(scrub));
    app.route("/__emulator/storage", createPresignRoute(ctx));
    app.route("/__emulator/storage", createStorageRouter(ctx));
  }
  app.route("/__emulator", createControlRouter(ctx));
  app.route("/__emulator", createInspectorControlRoutes(ctx));
  app.route("/__emulator", createInspectorRouter(ctx));
  app.route("/__emulator", createReferenceRouter());
  const allowedMethods = createAllowedMethods(app);
  app.notFound((c) => {
    const allow = allowedMethods(c.req.path);
    if (!allow) return renderError(resourceNotFound(c.req.path), c);
    const response = renderError(methodNotAllowed(c.req.method, c.req.path, allow), c);
    response.headers.set("allow", allow.join(", "));
    return response;
  });
  app.onError(renderError);
  return app;
}

/**
 * A logger that hides the emulator's secrets by value in what it is given: the message, and an
 * error's message and stack (a copy; the original may hold a request with its headers).
 */
function scrubbedLogger(logger: EmulatorLogger, scrub: (text: string) => string): EmulatorLogger {
  const clean = (text: string) => scrub(redactText(text));
  return {
    error(message, details) {
      if (!(details instanceof Error)) {
        logger.error(clean(message), typeof details === "string" ? clean(details) : details);
        return;
      }
      const copy = new Error(clean(details.message));
      copy.name = details.name;
      copy.stack = details.stack === undefined ? undefined : clean(details.stack);
      logger.error(clean(message), copy);
    },
  };
}
