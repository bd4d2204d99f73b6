import { Hono } from "hono";
import type { EmulatorContext, EmulatorEnv } from "../context.js";
import { inputValidationError, issue, resourceNotFound } from "../http/errors.js";
import { bodyValidator } from "../http/openapi-validator.js";
import { readJsonBody } from "../http/request-body.js";
import { jobSummary } from "../jobs/job-views.js";
import type { FaultRuleInput } from "../options.js";
import type { JournalFilter } from "./journal.js";

function integerQuery(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min) {
    throw inputValidationError(`Query parameter ${name} must be an integer >= ${min}`, [
      issue(`/${name}`, "type", `must be an integer >= ${min}`),
    ]);
  }
  return Number(value);
}

/**
 * The control API under `/__emulator` (see `openapi/emulator.yaml`): reset, clock, token
 * revocation and authorization codes, jobs, journal and faults. It has no authentication: the
 * emulator binds to loopback and is a development tool.
 */
export function createControlRouter(ctx: EmulatorContext): Hono<EmulatorEnv> {
  const router = new Hono<EmulatorEnv>();
  const validate = (operationId: string) => bodyValidator("emulator.yaml", operationId);
  const clockBody = () => {
    const now = ctx.time.now();
    return { now, time: new Date(now).toISOString() };
  };

  router.post("/reset", (c) => {
    ctx.reset();
    return c.body(null, 204);
  });

  router.get("/clock", (c) => c.json(clockBody()));

  router.post("/clock/advance", async (c) => {
    const { ms } = await readJsonBody<{ ms: number }>(c, validate("advanceClock"));
    ctx.time.advance(ms);
    // Run every transition now due and wait for the work it starts, so the next status read is final.
    await ctx.jobs.runDue();
    return c.json(clockBody());
  });

  router.post("/tokens/revoke", async (c) => {
    const target = await readJsonBody<{ token?: string; tokenId?: string; clientId?: string }>(
      c,
      validate("revokeTokens"),
      {},
    );
    // An unknown client has no tokens; recording a cut-off for it would let the map grow without bound.
    if (
      target.token === undefined &&
      target.tokenId === undefined &&
      target.clientId !== undefined &&
      !ctx.options.clients.has(target.clientId)
    ) {
      return c.json({ revoked: false });
    }
    return c.json({ revoked: await ctx.tokens.revoke(target) });
  });

  router.post("/ims/authorization-codes", async (c) => {
    const body = await readJsonBody<{ clientId: string; scope?: string }>(
      c,
      validate("createAuthorizationCode"),
    );
    const client = ctx.options.clients.get(body.clientId);
    if (!client) {
      throw inputValidationError("Unknown clientId", [
        issue("/clientId", "client", "is not a configured client"),
      ]);
    }
    const scopes = body.scope?.split(/[,\s]+/).filter(Boolean) ?? ["openid", "AdobeID", "offline_access"];
    const { code, expiresAt } = ctx.tokens.mintCode(client.clientId, scopes);
    return c.json({ code, expiresAt: new Date(expiresAt).toISOString() }, 201);
  });

  router.get("/jobs", (c) => {
    const { status, kind, clientId } = c.req.query();
    const jobs = ctx.jobs
      .list()
      .filter((job) => (!status || job.status === status) && (!kind || job.kind === kind))
      .filter((job) => !clientId || job.clientId === clientId)
      .map(jobSummary);
    return c.json({ jobs });
  });

  router.get("/journal", (c) => {
    const query = c.req.query();
    const filter: JournalFilter = {
      method: query.method,
      path: query.path,
      clientId: query.clientId,
      status: integerQuery(query.status, "status", 0),
      limit: integerQuery(query.limit, "limit", 1),
    };
    return c.json({ entries: ctx.journal.list(filter) });
  });

  router.get("/cassette", (c) => {
    if (!ctx.replay) throw resourceNotFound(c.req.path);
    return c.json({ file: ctx.replay.file, ...ctx.replay.use() });
  });

  router.get("/faults", (c) => c.json({ seed: ctx.options.faultSeed, rules: ctx.faults.list() }));

  router.post("/faults", async (c) => {
    const input = await readJsonBody<FaultRuleInput>(c, validate("addFault"));
    let rule: ReturnType<typeof ctx.faults.add>;
    try {
      rule = ctx.faults.add(input);
    } catch (error) {
      throw inputValidationError("Invalid fault rule", [issue("", "faultRule", (error as Error).message)]);
    }
    return c.json(rule, 201);
  });

  router.delete("/faults", (c) => {
    ctx.faults.clear();
    return c.body(null, 204);
  });

  router.delete("/faults/:faultId", (c) => {
    if (!ctx.faults.remove(c.req.param("faultId"))) throw resourceNotFound();
    return c.body(null, 204);
  });

  return router;
}
